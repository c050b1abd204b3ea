"""The training steps of the resolver: amortisation, compute, hardware, site and efficiency of the model's training run."""

from __future__ import annotations

import numpy as np

from .. import catalogue, factors
from .names import Names, factor_column, overlay, point, triple
from .provenance import GIVEN, Rule, choose
from .state import D, Run, TRAINING_OFF, constant_column, constant_rule


def resolve_training(r: Run) -> None:
    """Training amortisation, row-wise by masks: how many requests share it, then its compute, hardware, site."""
    _training_amortisation(r)   # the requests that share the training (lifetime, or a share of the period)
    _training_compute(r)        # GPU time (given, or the model card's), else the tokens trained on
    _training_hardware(r)       # the training GPU and its power; PUE
    _training_site(r)           # the training zone: carbon, water, ADPe, primary energy
    _training_efficiency(r)     # MFU and the training GPU's peak FLOP/s


def spread_by(arr, constant):
    """A value (rows, 3) times a relative range of the constants table: low x low, high x high."""
    return arr * constant_column(constant, D)


def _training_amortisation(r: Run) -> None:
    """The requests the training is spread over: given, or the requests of the period over a training share."""
    col, given, P = r.col, r.given, r.P
    life, share = given["training_lifetime_requests"], given["training_share"]
    on = life | share
    P.add(life & share, "training_share", "give either {training_lifetime_requests} or {training_share}, not both")
    P.add(share & ~given["requests"], "training_share",
          "needs {requests} (the share is spread over the requests of the period)")
    r.notes.append((~on, "training is excluded (its line is 0): give {training_lifetime_requests} or "
                         "{training_share} to amortise the model's training"))
    with np.errstate(invalid="ignore", divide="ignore"):
        from_share = point(col["requests"][:, 1] * r.period / col["training_share"][:, 1])
    choose(r.v, r.S, "amortisation_requests", [
        (life, col["training_lifetime_requests"], GIVEN),
        (share, from_share, Rule("derived", formula="requests over the period / training share",
                                 inputs=("requests", "period", "training_share"))),
    ])
    r.training_on = on


def _training_compute(r: Run) -> None:
    """Training GPU time: given, else the model card's GPU-hours (spread); else the tokens trained on."""
    col, given, on, model_keys = r.col, r.given, r.training_on, r.model_keys
    model_hours = factor_column(model_keys, "models", "training_gpu_hours", "s")
    model_tokens = factor_column(model_keys, "models", "training_tokens", "token")
    hours_given = given["training_gpu_hours"]
    use_model_hours = ~hours_given & ~np.isnan(model_hours[:, 1])
    use_tokens = ~hours_given & ~use_model_hours & (given["training_tokens"] | ~np.isnan(model_tokens[:, 1]))
    r.P.add(on & ~hours_given & ~use_model_hours & ~use_tokens, "training_gpu_hours",
            "training amortisation needs {training_gpu_hours} or {training_tokens} (or a catalogue model whose "
            "card gives them)")
    choose(r.v, r.S, "training_gpu_time", [
        (on & hours_given, col["training_gpu_hours"], GIVEN),
        (on & use_model_hours, spread_by(model_hours, "training_gpu_hours_ratio"),
         Rule("derived", table="models", names=model_keys, parameter="training_gpu_hours",
              formula="card GPU-hours x training_gpu_hours_ratio (constants)", inputs=("model",))),
    ])
    choose(r.v, r.S, "training_tokens", [
        (on & use_tokens & given["training_tokens"], col["training_tokens"], GIVEN),
        (on & use_tokens, model_tokens, Rule("default", table="models", names=model_keys,
                                             parameter="training_tokens")),
    ])


def _training_hardware(r: Run) -> None:
    """The training GPU (given, else the catalogue's) and its power per GPU; the training PUE."""
    n, col, given, v, S, on, model_keys = r.n, r.col, r.given, r.v, r.S, r.training_on, r.model_keys
    # the catalogue's training GPU, else the serving GPU (named)
    known_gpus = {k.lower(): k for k in factors.keys("gpus")}
    tg_raw = r.names("training_gpu", None, "GPU", lambda s: factors.find_key("gpus", s, "GPU"))
    from_card = Names(model_keys.codes, [known_gpus.get((catalogue.training_gpu(k) or "").lower())
                                         if k is not None else None for k in model_keys.keys], model_keys.given)
    train_gpu = overlay(tg_raw, from_card, ~tg_raw.given & from_card.present & model_keys.given, n)
    r.seen["training_gpu"] = train_gpu
    has_train_gpu = train_gpu.present & (tg_raw.given | model_keys.given)
    model_power = factor_column(model_keys, "models", "training_gpu_power", "W")
    model_has_power = ~np.isnan(model_power[:, 1])
    r.notes.append((on & ~given["training_gpu_power"] & ~model_has_power & ~has_train_gpu,
                    "training hardware unknown: the serving GPU's TDP stands for the training power per GPU "
                    "(give {training_gpu_power})"))
    choose(v, S, "training_gpu_power", [
        (~on, point(0.0), TRAINING_OFF),
        (given["training_gpu_power"], col["training_gpu_power"], GIVEN),
        (model_has_power, spread_by(model_power, "training_power_ratio"),
         Rule("derived", table="models", names=model_keys, parameter="training_gpu_power",
              formula="card power per GPU x training_power_ratio (constants)", inputs=("model",))),
        (has_train_gpu, spread_by(factor_column(train_gpu, "gpus", "tdp", "W"), "training_power_ratio"),
         Rule("derived", table="gpus", names=train_gpu, parameter="tdp",
              formula="training GPU's TDP x training_power_ratio (constants)", inputs=("training_gpu",))),
        (r.allrows, spread_by(v["tdp"], "training_power_ratio"),
         Rule("derived", table="gpus", names=r.seen["gpu"], parameter="tdp",
              formula="serving GPU's TDP x training_power_ratio (no training hardware known)", inputs=("tdp",))),
    ])
    # a card that states the GPU's TDP and adjusts it for PUE (Meta's) has the site's PUE in the catalogue
    model_pue = factor_column(model_keys, "models", "training_pue", D)
    choose(v, S, "training_pue", [
        (on & given["training_pue"], col["training_pue"], GIVEN),
        (on & ~np.isnan(model_pue[:, 1]) & ~given["training_gpu_power"], model_pue,
         Rule("default", table="models", names=model_keys, parameter="training_pue")),
        (r.allrows, point(1.0), Rule("derived", formula="1.0: the training power already holds the PUE (a TDP's "
                                             "training_power_ratio range, 0.6-1.2, includes a hyperscale PUE of "
                                             "about 1.1)")),
    ])
    r.train_gpu, r.has_train_gpu = train_gpu, has_train_gpu


def _training_site(r: Run) -> None:
    """The training zone (given, else the model card's or the developer's, else the world) and its electricity."""
    n, col, given, v, S, notes = r.n, r.col, r.given, r.v, r.S, r.notes
    on, model_keys, allrows = r.training_on, r.model_keys, r.allrows
    tz_raw = r.names("training_zone", "WOR", "zone", lambda s: factors.find_key("grid", s, "zone"))
    sites = [catalogue.training_site(k) if k is not None else None for k in model_keys.keys]
    zone_keys = {k.lower(): k for k in factors.keys("grid")}
    from_model = Names(model_keys.codes, [zone_keys.get(s["zone"].lower()) if s else None for s in sites],
                       model_keys.given)
    site_known = from_model.present & model_keys.given & ~tz_raw.given
    tz_keys = overlay(tz_raw, from_model, site_known, n)
    r.seen["training_zone"] = tz_keys
    idle = r.seen["training_gpu"].given | tz_raw.given  # training inputs that change nothing while training is excluded
    for key in given:
        if key.startswith("training_") and key not in ("training_lifetime_requests", "training_share"):
            idle = idle | given[key]
    notes.append((~on & idle, "training inputs are given but training is excluded, so they change no figure: give "
                              "{training_lifetime_requests} or {training_share} to count the training"))
    gi = given["training_grid_intensity"]
    for basis in sorted({s["basis"] for s in sites if s}):
        rows = site_known & model_keys.take(np.array([bool(s) and s["basis"] == basis for s in sites]))
        notes.append((on & ~gi & rows, f"training site from the {basis} (give {{training_zone}} to change it)"))
    notes.append((on & ~gi & ~tz_raw.given & ~site_known,
                  "training site unknown: the world average grid is used (give {training_zone} or "
                  "{training_grid_intensity})"))
    choose(v, S, "training_grid_intensity", [
        (~on, point(0.0), TRAINING_OFF),
        (gi, col["training_grid_intensity"], GIVEN),
        (allrows, spread_by(factor_column(tz_keys, "grid", "carbon_intensity", "kg/J"), "training_grid_spread"),
         Rule("derived", table="grid", names=tz_keys, parameter="carbon_intensity",
              formula="zone's yearly intensity x training_grid_spread (constants)", inputs=("training_zone",))),
    ])
    own_water = factor_column(tz_keys, "grid", "water_intensity", "L/J")
    lacking = np.broadcast_to(np.isnan(own_water[:, 1]), (n,)) & on
    notes.append((lacking, "no water intensity for the training zone: the world average is used as a proxy"))
    choose(v, S, "training_water_intensity", [
        (~on, point(0.0), TRAINING_OFF),
        (~lacking, own_water, Rule("default", table="grid", names=tz_keys, parameter="water_intensity")),
        (allrows, triple(factors.get("grid", "WOR", "water_intensity"), "L/J")[None, :],
         Rule("proxy", table="grid", key="WOR", parameter="water_intensity", status="assumption")),
    ])
    choose(v, S, "training_wue", [
        (~on, point(0.0), TRAINING_OFF),
        (allrows, triple(factors.get("datacenters", "ai_datacenter", "wue"), "L/J")[None, :],
         Rule("default", table="datacenters", key="ai_datacenter", parameter="wue")),
    ])
    for name, parameter, unit in (("training_grid_adpe", "adpe_intensity", "kg/J"),
                                  ("training_grid_primary_energy", "primary_energy_intensity", D)):
        own = factor_column(tz_keys, "grid", parameter, unit)
        lacking = on & np.broadcast_to(np.isnan(own[:, 1]), (n,))
        notes.append((lacking, f"no {'ADPe' if 'adpe' in name else 'primary-energy'} factor of electricity for the "
                               "training zone: the world proxy (median of national values) is used"))
        choose(v, S, name, [
            (~on, point(0.0), TRAINING_OFF),
            (~lacking, own, Rule("default", table="grid", names=tz_keys, parameter=parameter)),
            (allrows, triple(factors.get("grid", "WOR", parameter), unit)[None, :],
             Rule("proxy", table="grid", key="WOR", parameter=parameter, status="assumption")),
        ])


def _training_efficiency(r: Run) -> None:
    """Training MFU (given, else the constant) and peak FLOP/s (the training GPU's, else the serving GPU's)."""
    v, S, given, col = r.v, r.S, r.given, r.col
    choose(v, S, "training_mfu", [
        (~r.training_on, point(1.0), TRAINING_OFF),
        (given["training_mfu"], col["training_mfu"], GIVEN),
        (r.allrows, constant_column("training_mfu", D), constant_rule("training_mfu")),
    ])
    choose(v, S, "training_peak_flops", [
        (r.has_train_gpu, factor_column(r.train_gpu, "gpus", "peak_flops_bf16", "FLOP/s"),
         Rule("default", table="gpus", names=r.train_gpu, parameter="peak_flops_bf16")),
    ] + list(zip([m for m, _ in S.rules["peak_flops"]], [v["peak_flops"]] * len(S.rules["peak_flops"]),
                 [r_ for _, r_ in S.rules["peak_flops"]])))
