"""Scenario files: parsing, provenance, and every bad input (one line, exit 2, nothing written)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from footprint.errors import InputError
from footprint.scenario import load, loads

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "scenarios").glob("*.toml"))

GOOD = """
name = "test"
[task]
unit = "page"
volume = "10/year"
source = "assumption: test"
[[ai]]
name = "llm"
params = "8B"
output_tokens = 300
zone = "FRA"
[alternative]
agent_time = "1 h"
[human_time]
device = "laptop"
"""


def test_examples_exist_and_state_their_volume_source():
    names = {p.stem for p in EXAMPLES}
    assert {"city_chatbot", "meeting_minutes", "long_article", "medical_reports", "news_indexing", "gps_route",
            "tomlinson_page"} <= names
    for p in EXAMPLES:
        s = load(p)
        assert s.task.source.strip(), p
        assert s.variants and (s.alternative.activities or s.alternative.agent_time_given)


def test_chatbot_has_shared_and_dedicated_variants():
    s = load(ROOT / "scenarios" / "city_chatbot.toml")
    provisioning = {v.name: dict(v.steps[0].options)["provisioning"] for v in s.variants}
    assert provisioning == {"shared": "shared", "dedicated": "dedicated"}


def test_inputs_are_marked_given_or_default():
    s = loads(GOOD, "good.toml")
    by_name = {i.name: i for i in s.inputs}
    assert by_name["task.volume"].status == "given"
    assert by_name["task.horizon"].status == "default" and "1 year" in by_name["task.horizon"].source
    assert by_name["human_time.boundary"].status == "default"
    assert by_name["human_time.device"].status == "given"
    assert by_name["ai.llm.inference.per_task"].status == "default"


def test_ranges_and_steps_parse():
    s = loads(GOOD.replace('output_tokens = 300', 'output_tokens = [200, 400]\nper_task = [2, 3, 5]'), "x.toml")
    st = s.variants[0].steps[0]
    assert dict(st.options)["output_tokens"] == (200, 400)
    assert st.per_task.low.magnitude == 2 and st.per_task.value.magnitude == 3 and st.per_task.high.magnitude == 5


def test_scenario_show_marks_every_input(run_cli):
    r = run_cli("scenario", "show", str(ROOT / "scenarios" / "city_chatbot.toml"), "--json")
    assert r.code == 0, r.err
    rows = json.loads(r.out)["inputs"]
    assert {row["given_or_default"] for row in rows} == {"given", "default"}
    grid = [row for row in rows if row["name"].endswith("grid_intensity")]
    assert grid and all("ADEME-BASE-EMPREINTE-ELEC" in row["source"] for row in grid)
    r = run_cli("scenario", "show", str(ROOT / "scenarios" / "city_chatbot.toml"))
    assert r.code == 0 and "given/default" in r.out


def test_scenario_validate_every_example(run_cli):
    for p in EXAMPLES:
        r = run_cli("scenario", "validate", str(p))
        assert r.code == 0 and r.out.startswith("ok:"), (p, r.err)


# -- bad input: (replacement of GOOD text, expected fragments of the one error line) ---------------------------
BAD = {
    "toml-syntax": (GOOD.replace('unit = "page"', 'unit = "page'), ["bad.toml:4:", "TOML syntax error"]),
    "unknown-key": (GOOD.replace('params = "8B"', 'params = "8B"\nmodle = "x"'),
                    ["unknown key 'modle'", "did you mean 'model'", "valid keys:", "bad.toml:"]),
    "unknown-top-key": (GOOD + '\n[sobriet]\nratio_cap = 1\n', ["unknown key 'sobriet'", "did you mean 'sobriety'"]),
    "missing-field": (GOOD.replace('source = "assumption: test"\n', ''), ["missing required field 'source' in [task]"]),
    "missing-volume": (GOOD.replace('volume = "10/year"\n', ''), ["missing required field 'volume'"]),
    "missing-ai": (GOOD.split("[[ai]]")[0] + '[alternative]\nagent_time = "1 h"\n', ["missing [[ai]]"]),
    "negative-volume": (GOOD.replace('"10/year"', '"-10/year"'), ["volume", "greater than zero"]),
    "low-above-high": (GOOD.replace('"10/year"', '["20/year", "10/year"]'), ["low > high"]),
    "range-low-above-high-ai": (GOOD.replace('output_tokens = 300', 'output_tokens = [400, 200]'), ["low > high"]),
    "unknown-activity": (GOOD.replace('agent_time = "1 h"', 'agent_time = "1 h"\n[[alternative.activities]]\n'
                                      'activity = "emial"\nquantity = 3'),
                         ["unknown alternative activity 'emial'", "did you mean email"]),
    "unknown-boundary": (GOOD.replace('device = "laptop"', 'device = "laptop"\nboundary = "per_capita"'),
                         ["unknown value 'per_capita'", "valid:"]),
    "unknown-gpu": (GOOD.replace('zone = "FRA"', 'zone = "FRA"\ngpu = "H1000"'), ["[[ai]] 'llm'", "unknown GPU"]),
    "volume-without-unit": (GOOD.replace('"10/year"', '10'), ["volume", "tasks per time"]),
    "two-budgets": (GOOD + '\n[sobriety]\nratio_cap = 1\nenergy_budget = "1 MWh/year"\n', ["exactly one of"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scenario_is_one_line_exit_2_nothing_written(case, tmp_path, run_cli):
    text, fragments = BAD[case]
    f = tmp_path / "bad.toml"
    f.write_text(text)
    card = tmp_path / "card.md"
    for args in (("compare", str(f), "--card", str(card), "--json", "--samples", "200"), ("scenario", "validate", str(f))):
        r = run_cli(*args)
        assert r.code == 2, (case, r.out, r.err)
        assert r.out == ""
        lines = r.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("footprint: error: "), r.err
        assert "Traceback" not in r.err
        for frag in fragments:
            assert frag in lines[0], (case, lines[0])
    assert not card.exists()
    assert sorted(os.listdir(tmp_path)) == ["bad.toml"]


def test_missing_file_is_one_line(run_cli, tmp_path):
    r = run_cli("compare", str(tmp_path / "nope.toml"))
    assert r.code == 2 and "no such scenario file" in r.err and len(r.err.strip().splitlines()) == 1


def test_scenario_files_are_data_not_code(tmp_path):
    # a value that looks like code is only text: it is refused as a quantity, never evaluated
    f = tmp_path / "x.toml"
    f.write_text(GOOD.replace('"10/year"', '"__import__(\'os\').system(\'echo hi\')"'))
    with pytest.raises(InputError):
        load(f)


def test_cli_bad_input_in_a_fresh_process(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text(BAD["unknown-key"][0])
    p = subprocess.run([sys.executable, "-m", "footprint", "compare", str(f)], capture_output=True, text=True,
                       cwd=ROOT)
    assert p.returncode == 2 and p.stdout == "" and len(p.stderr.strip().splitlines()) == 1
