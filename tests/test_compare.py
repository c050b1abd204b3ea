"""The comparison engine: consistency with the estimator, break-even, verdicts, Monte Carlo, sweeps."""

import json
from pathlib import Path

import numpy as np
import pytest

from footprint.compare import (Sampler, benefit_verdict, compare_scenario, prepare, sobriety_verdict,
                               totals_over_volumes)
from footprint.estimator import LINES, estimate
from footprint.scenario import load, loads
from footprint.units import ureg

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "scenarios").glob("*.toml"))

# A hand-computable scenario: AI = a measured 1 Wh per item (PUE 1, 100 g/kWh), plus 0.1% of a training of
# 1000 GPU-hours at 1 kW (1000 kWh, 100 kgCO2e) charged to the horizon; alternative = 1 h on a laptop, US grid.
SYNTH = """
name = "synthetic"
[task]
unit = "item"
volume = "{volume}"
horizon = "1 year"
source = "test"
[[ai]]
name = "fixed+variable"
energy_per_item = {energy}
pue = 1
grid_intensity = "100 g/kWh"
water_intensity = "0 L/kWh"
wue = "0 L/kWh"
gpu_embodied = "0 kgCO2e"
server_embodied = "0 kgCO2e"
training_share = 0.001
training_gpu_hours = 1000
training_gpu_power = "1000 W"
training_pue = 1
training_grid_intensity = "100 g/kWh"
[alternative]
agent_time = "1 h"
[human_time]
device = "laptop"
boundary = "device"
zone = "USA"
{extra}
"""


def synth(volume="10/year", energy='"1 Wh"', extra=""):
    return loads(SYNTH.format(volume=volume, energy=energy, extra=extra), "synthetic.toml")


ALT_G = 0.0265 * 383.55 + 23.0  # laptop hour on the US grid (Ember 2024) + embodied, gCO2e


def test_hand_computed_per_task_and_totals():
    c = compare_scenario(synth(), samples=200, seed=1).primary
    # per task: 1 Wh x 100 g/kWh = 0.1 g + training 100 kg x 0.001 / 10 tasks = 10 g
    assert c.per_task_ai["co2e"].m_as("gCO2e")[1] == pytest.approx(0.1 + 10.0, rel=1e-6)
    assert c.per_task_alternative["co2e"].m_as("gCO2e")[1] == pytest.approx(ALT_G)
    assert c.total_ai["co2e"].m_as("gCO2e")[1] == pytest.approx(100.0 + 10 * 0.1, rel=1e-6)
    assert c.ratio["co2e"].m_as("")[1] == pytest.approx((0.1 + 10.0) / ALT_G, rel=1e-6)
    assert c.agent_hours_saved["per_task"].m_as("hour")[1] == pytest.approx(1.0)
    assert c.agent_hours_saved["total"].m_as("hour")[1] == pytest.approx(10.0)


def test_break_even_hand_computed():
    c = compare_scenario(synth(), samples=200, seed=1).primary
    be = c.break_even["co2e"]
    assert be["status"] == "ai_lower_above"
    # fixed 100 g over the horizon; marginal 0.1 g vs 33.16 g per task: V* = 100 / (ALT_G - 0.1) tasks a year
    assert be["volume"].m_as("1/year")[1] == pytest.approx(100.0 / (ALT_G - 0.1), rel=1e-6)
    # energy: fixed 1 kWh, marginal 1 Wh vs 26.5 Wh: V* = 1000 / 25.5
    assert c.break_even["energy"]["volume"].m_as("1/year")[1] == pytest.approx(1000.0 / 25.5, rel=1e-6)


def test_break_even_never_and_always():
    # 1 kWh per item at 100 g/kWh = 100 g per task, above the alternative's 33 g: no volume pays back
    never = compare_scenario(synth(energy='"1 kWh"'), samples=200).primary.break_even["co2e"]
    assert never["status"] == "ai_never_lower" and np.isnan(never["volume"].magnitude[1])
    no_fixed = loads(SYNTH.format(volume="10/year", energy='"1 Wh"', extra="").replace("training_share = 0.001\n", "")
                     .replace("training_gpu_hours = 1000\ntraining_gpu_power = \"1000 W\"\ntraining_pue = 1\n"
                              "training_grid_intensity = \"100 g/kWh\"\n", ""), "nofixed.toml")
    always = compare_scenario(no_fixed, samples=200).primary.break_even["co2e"]
    assert always["status"] == "ai_always_lower"


def test_sobriety_verdict_both_sides_of_the_budget():
    # AI per year = 100 g (training share) + 10 x 0.1 g = 101 g, no uncertainty on the AI side
    within = compare_scenario(synth(extra='[sobriety]\nco2e_budget = "1 kgCO2e/year"'), samples=500).primary.sobriety
    assert within["verdict"] == "within" and within["probability_exceeding"] == 0.0
    assert within["ai"].m_as("gCO2e/year")[1] == pytest.approx(101.0, rel=1e-6)
    exceeds = compare_scenario(synth(extra='[sobriety]\nco2e_budget = "50 gCO2e/year"'), samples=500).primary.sobriety
    assert exceeds["verdict"] == "exceeds" and exceeds["probability_exceeding"] == 1.0
    energy = compare_scenario(synth(extra='[sobriety]\nenergy_budget = "2 kWh/year"'), samples=500).primary.sobriety
    assert energy["verdict"] == "within"  # 1 kWh + 10 Wh


def test_sobriety_uncertain_case_matches_the_sampling_distribution():
    # energy per item log-triangular on [0.5, 20] Wh, mode 1 Wh (high/low > 10); 1000 tasks a year:
    # AI per year = 100 g + 1000 x 0.1 g x k; the 300 g budget is exceeded when k > 2:
    # P = (ln20 - ln2)^2 / ((ln20 - ln0.5)(ln20 - ln1)) = 0.480
    s = synth(volume="1000/year", energy='["0.5 Wh", "1 Wh", "20 Wh"]', extra='[sobriety]\nco2e_budget = "300 gCO2e/year"')
    sob = compare_scenario(s, samples=20000, seed=3).primary.sobriety
    expected = np.log(10) ** 2 / (np.log(40) * np.log(20))
    assert sob["verdict"] == "uncertain"
    assert sob["probability_exceeding"] == pytest.approx(expected, abs=0.03)


def test_ratio_cap_verdict():
    s = synth(extra="[sobriety]\nratio_cap = 0.5")
    sob = compare_scenario(s, samples=500).primary.sobriety
    assert sob["verdict"] == "within" and sob["basis"].startswith("AI / alternative")


def test_verdict_thresholds():
    assert sobriety_verdict(0.0) == "within" and sobriety_verdict(0.05) == "within"
    assert sobriety_verdict(0.5) == "uncertain" and sobriety_verdict(0.95) == "exceeds"
    assert benefit_verdict(0.99) == "ai_lower" and benefit_verdict(0.01) == "ai_higher"
    assert benefit_verdict(0.5) == "uncertain"


def test_monte_carlo_is_seedable_and_triangular():
    s = load(ROOT / "scenarios" / "city_chatbot.toml")
    a = compare_scenario(s, samples=300, seed=7).primary
    b = compare_scenario(s, samples=300, seed=7).primary
    assert np.array_equal(a.samples["ai"]["co2e"], b.samples["ai"]["co2e"])
    from footprint.uncertainty import Range
    r = Range(ureg.Quantity(1.0, "W"), ureg.Quantity(4.0, "W"), ureg.Quantity(2.0, "W"))
    x = Sampler(50000, seed=0)(r, "W")
    assert x.min() >= 1.0 and x.max() <= 4.0 and x.mean() == pytest.approx((1 + 2 + 4) / 3, rel=0.01)


def _step_lines_central(vc, step):
    return {k: sum(vc.breakdown_ai[f"{step}: {ln}"][k].magnitude[1] for ln in LINES) for k in ("energy", "co2e", "water")}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_ai_steps_match_the_estimator(path):
    """Every step's per-task lines equal footprint.estimate per request x requests per task (central case)."""
    s = load(path)
    c = compare_scenario(s, samples=100, seed=0)
    for v in s.variants:
        vc = c.variants[v.name]
        for st in v.steps:
            per_task = float(np.asarray(getattr(st.per_task, "value", st.per_task).m_as("")))
            kwargs = st.kwargs
            if "constants" in kwargs:
                kwargs["constants"] = dict(kwargs["constants"])
            from footprint.uncertainty import central
            e = estimate(requests=central(s.task.volume) * per_task, period=s.task.horizon, **kwargs)
            got = _step_lines_central(vc, st.name)
            for k, unit in (("energy", "Wh"), ("co2e", "gCO2e"), ("water", "mL")):
                want = e.per_request[k].m_as(unit)[..., 1] * per_task
                assert got[k] == pytest.approx(want, rel=1e-9), (path.stem, v.name, st.name, k)


def test_chatbot_matches_footprint_estimate_cli(run_cli):
    r = run_cli("compare", str(ROOT / "scenarios" / "city_chatbot.toml"), "--json", "--samples", "200")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    est = run_cli("estimate", "--model", "llama-3.3-70b", "--input-tokens", "1000..3000", "--output-tokens", "150..400",
                  "--zone", "FRA", "--datacenter", "industry_average", "--requests", "6000/day", "--period", "3 year",
                  "--json")
    assert est.code == 0, est.err
    per_request = json.loads(est.out)["per_request"]
    lines = doc["breakdown"]["ai"]
    for k in ("energy", "co2e"):
        inference = sum(v[k]["value"] for name, v in lines.items() if name.startswith("inference: "))
        assert inference == pytest.approx(3 * per_request[k]["value"], rel=1e-9)
        others = [v[k] for name, v in lines.items() if not name.startswith("inference: ")]
        extra = sum(f["value"] for f in others if f["value"] is not None)
        total = doc["per_task"]["ai"][k]
        if any(f["value"] is None for f in others):  # a line without this metric: the side's figure is undefined
            assert total["value"] is None and total["not_available"]
            assert total["known_lines"]["value"] == pytest.approx(inference + extra, rel=1e-9)
        else:
            assert total["value"] == pytest.approx(inference + extra, rel=1e-9)


def test_dedicated_has_fixed_costs_and_a_break_even():
    c = compare_scenario(load(ROOT / "scenarios" / "city_chatbot.toml"), samples=200)
    shared, dedicated = c.variants["shared"], c.variants["dedicated"]
    assert shared.break_even["co2e"]["status"] == "ai_always_lower"
    assert dedicated.break_even["co2e"]["status"] == "ai_lower_above"
    # per task, the dedicated endpoint's idle power shows at a lower volume
    sweep = c.sweep(ureg.Quantity(np.array([100.0, 2000.0]), "1/day"), "dedicated")
    per_task_low = sweep["ai"]["co2e"].m_as("kg")[0, 1] / 100  # energy: the network line has none
    per_task_high = sweep["ai"]["co2e"].m_as("kg")[1, 1] / 2000
    assert per_task_low > 1.5 * per_task_high


def test_sweep_matches_the_totals_and_is_linear_without_fixed_costs():
    c = compare_scenario(load(ROOT / "scenarios" / "news_indexing.toml"), samples=200)
    plan = c.plan
    v0 = 150.0
    res = totals_over_volumes(plan, ureg.Quantity(np.array([v0, 2 * v0]), "1/day"))
    tot = res["ai"]["co2e"].m_as("kgCO2e")
    assert tot[0, 1] == pytest.approx(c.primary.total_ai["co2e"].m_as("kgCO2e")[1], rel=1e-9)
    assert tot[1, 1] == pytest.approx(2 * tot[0, 1], rel=1e-9)
    alt = res["alternative"]["co2e"].m_as("kgCO2e")
    assert alt[0, 1] == pytest.approx(c.primary.total_alternative["co2e"].m_as("kgCO2e")[1], rel=1e-9)


def test_review_time_counts_as_agent_time():
    s = synth()
    with_review = loads(SYNTH.format(volume="10/year", energy='"1 Wh"', extra="").replace(
        'name = "fixed+variable"', 'name = "fixed+variable"\nagent_time = "15 min"'), "r.toml")
    a = compare_scenario(s, samples=200).primary
    b = compare_scenario(with_review, samples=200).primary
    assert b.agent_hours_saved["per_task"].m_as("hour")[1] == pytest.approx(0.75)
    assert b.per_task_ai["co2e"].m_as("gCO2e")[1] == pytest.approx(a.per_task_ai["co2e"].m_as("gCO2e")[1] + ALT_G / 4)


def test_human_time_override_changes_only_the_boundary():
    s = load(ROOT / "scenarios" / "tomlinson_page.toml")
    plan = prepare(s, "device")
    assert plan.boundary == "device"
    with pytest.raises(Exception, match="did you mean"):
        prepare(s, "devise")


def test_monte_carlo_draws_do_not_depend_on_where_the_scenario_file_lies(tmp_path, run_cli):
    import json
    import shutil
    from pathlib import Path

    src = Path(__file__).resolve().parent.parent / "scenarios" / "city_chatbot.toml"
    elsewhere = tmp_path / "deeper" / "copy.toml"
    elsewhere.parent.mkdir()
    shutil.copy(src, elsewhere)
    here, there = (json.loads(run_cli("compare", str(p), "--json").out)["benefit"] for p in (src, elsewhere))
    assert here["ratio_percentiles"] == there["ratio_percentiles"]
    assert here["probability_ai_lower"] == there["probability_ai_lower"]


def test_ratio_by_boundary_equals_a_comparison_under_that_boundary():
    """The plan is resolved once and reused per boundary: each boundary's ratio is that of its own comparison."""
    from pathlib import Path

    import numpy as np

    from footprint import alternatives
    from footprint.compare import compare_scenario
    from footprint.scenario import load

    scenario = load(Path(__file__).resolve().parent.parent / "scenarios" / "meeting_minutes.toml")
    base = compare_scenario(scenario, samples=200, seed=1)
    for boundary in alternatives.BOUNDARIES:
        own = compare_scenario(scenario, samples=200, seed=1, human_time=boundary)
        for name, vc in base.variants.items():
            np.testing.assert_allclose(vc.ratio_by_boundary[boundary].m, own.variants[name].ratio["co2e"].m,
                                       rtol=1e-12)
