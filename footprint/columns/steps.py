"""The resolver (:func:`resolve_columns`) and its serving steps, from the serving path to the grid, in the order they run."""

from __future__ import annotations

import numpy as np

from .. import catalogue, factors
from ..errors import InputError
from ..inference import PRECISION_BYTES, PRECISION_FLOPS_KEY
from ..inputs import CORE
from .problems import LazyMessages, Problems
from .names import Names, factor_column, overlay, point, scale, triple, where
from .provenance import GIVEN, Rule, choose, choose_or_proxy
from .state import Columns, D, DEFAULT_STACK, ITEM_RULE, PRECISION_OF_BYTES, PROVISIONING, Resolution, Run, STACK_CONSTANTS, catalogue_field, constant_column, constant_rule, deployment_names, lower_choice, override_notes, precision_lookup
from .training import resolve_training


def resolve_columns(c: Columns, problems: Problems) -> Resolution:
    """Apply every default rule to every row at once (see the module docstring).

    The steps run in this order, each on all rows by masks; a step uses only what the ones above it set.
    """
    r = Run(c, problems)
    _serving_path(r)            # per-item, measured, FLOP or modelled path
    _model_size(r)              # total and active parameters (given, catalogue model, dense)
    _deployment(r)              # the deployment profile (given or the catalogue model's)
    _precision(r)               # bytes per weight, fp8 peak or not
    _tokens(r)                  # input and output tokens, reasoning, context length
    _gpu(r)                     # peak FLOP/s, memory, bandwidth, TDP, idle power
    _gpu_embodied(r)            # the GPU's manufacture: CO2e, ADPe, primary energy
    _host(r)                    # host power while serving and idle
    _server_embodied(r)         # the server slot's manufacture and the hardware lifetime
    _gpus_and_batch(r)          # GPUs per instance, batch size
    _serving_stack(r)           # the serving stack and the model constants
    _volume(r)                  # provisioning, request rate, fleet utilisation, period of the totals
    _flop_and_measured_paths(r)
    _datacentre(r)              # PUE, WUE
    _grid(r)                    # zone: carbon, water, ADPe, primary energy; usage profile; water scope
    resolve_training(r)                # training amortisation
    return r.resolution()


def _serving_path(r: Run) -> None:
    """The serving path of each row, and its per-item figures (:data:`PATHS`)."""
    n, col, given, v, S, P, notes = r.n, r.col, r.given, r.v, r.S, r.P, r.notes
    item_flops, item_energy = given["flops_per_item"], given["energy_per_item"]
    item = item_flops | item_energy
    P.add(item_flops & item_energy, "energy_per_item", "give either {flops_per_item} or {energy_per_item}, not both")
    model_keys = r.names("model", None, "model", lambda s: catalogue.find_model(s, "model"))
    P.add(item & (given["params"] | given["active_params"] | model_keys.given), "flops_per_item",
          "give either a model size ({params} or {model}) or a per-item figure ({flops_per_item} or "
          "{energy_per_item}), not both")
    notes.append((item, "functional unit: item (generic task path): per_request figures are per item"))
    flop_given = given["flop_utilisation"] | item_flops
    tps, pw = given["measured_tokens_per_second"], given["measured_power"]
    measured = given["measured_energy_per_token"] | (tps & pw) | item_energy
    path = np.where(item_energy, 4, np.where(item_flops, 3, np.where(measured, 2, np.where(flop_given, 1, 0))))
    r.item_flops, r.item_energy, r.item, r.model_keys = item_flops, item_energy, item, model_keys
    r.tps, r.pw, r.measured, r.path = tps, pw, measured, path
    rows_path = np.broadcast_to(path, (n,))
    uniform = n > 0 and rows_path.min() == rows_path.max()  # one path for all rows: one value, not n
    v["serving_path"] = point(rows_path[:1] if uniform else rows_path)
    choose(v, S, "flops_per_item", [(item_flops, col["flops_per_item"], GIVEN)])
    choose(v, S, "energy_per_item", [(item_energy, col["energy_per_item"], GIVEN)])


def _model_size(r: Run) -> None:
    """Total and active parameters: given, else the catalogue model's, else dense (active = total)."""
    n, col, given, v, S, P, notes = r.n, r.col, r.given, r.v, r.S, r.P, r.notes
    model_keys, item, allrows = r.model_keys, r.item, r.allrows
    model_total = factor_column(model_keys, "models", "total_params", "parameter")
    model_active = factor_column(model_keys, "models", "active_params", "parameter")
    pg = given["params"]
    P.add(~pg & ~model_keys.given & ~item, "params",
          "missing: give the model size with {params} (e.g. 70B) or a catalogue model with {model} (`footprint factors list models`)")
    choose(v, S, "total_params", [
        (pg, col["params"], GIVEN),
        (item, point(1.0), ITEM_RULE),
        (model_keys.given, model_total, Rule("default", table="models", names=model_keys, parameter="total_params")),
    ])
    # a catalogue MoE model keeps its active parameters when only {params} is given; a dense one stays dense
    with np.errstate(invalid="ignore"):
        model_moe = np.broadcast_to(model_active[:, 1] < model_total[:, 1] * (1 - 1e-9), (n,))
    use_model_active = ~given["active_params"] & model_keys.given & ~item & ~np.isnan(model_active[:, 1]) & (
        ~pg | model_moe)
    choose(v, S, "active_params", [
        (item, point(1.0), ITEM_RULE),
        (given["active_params"], col["active_params"], GIVEN),
        (use_model_active, model_active, Rule("default", table="models", names=model_keys, parameter="active_params")),
        (allrows, v["total_params"], Rule("derived", formula="dense model: active = total parameters",
                                          inputs=("total_params",))),
    ])
    params_override = override_notes(notes, pg & model_keys.given & ~item, col["params"], model_total, model_keys,
                                      "params", n, "its other catalogue figures (training) are kept")
    override_notes(notes, given["active_params"] & model_keys.given & ~item, col["active_params"], model_active,
                    model_keys, "active_params", n, "")
    kept = pg & use_model_active
    notes.append((kept & params_override, "{active_params}: the catalogue's active parameters of this mixture-of-experts model are kept "
                        "with the given {params}; give {active_params} to change them"))
    with np.errstate(invalid="ignore"):
        over = v["active_params"][:, 1] > v["total_params"][:, 1] * (1 + 1e-9)
        P.add(over & kept, "params", "the given size is below the catalogue's active parameters of this "
              "mixture-of-experts model; give {active_params} too")
        P.add(over & ~kept, "active_params", "cannot exceed the total parameters ({params})")


def _deployment(r: Run) -> None:
    """Each row's deployment profile (:func:`deployment_names`), and the notes on it."""
    item, given = r.item, r.given
    dep = deployment_names(r.c, r.n, r.model_keys, r.P, r.seen)
    has_dep = dep.present & ~item
    r.notes.append((~has_dep & ~item & ~given["flop_utilisation"] & ~r.measured,
                    "no deployment profile ({deployment}): generic defaults (bf16, batch 32, fleet utilisation 0.5, "
                    "industry-average PUE)"))
    r.notes.append((has_dep & ~dep.given, "deployment profile from the model catalogue; {deployment} chooses another"))
    r.dep, r.has_dep = dep, has_dep


def _precision(r: Run) -> None:
    """Bytes per weight: the given precision, else the deployment profile's, else bf16; whether fp8 peaks apply."""
    dep = r.dep
    prec = r.names("precision", "bf16", "precision", precision_lookup)
    dep_bytes, dep_has_bytes = r.profile("bytes_per_param", "byte")
    if dep_has_bytes.any():
        per_profile = factor_column(Names(np.arange(len(dep.keys)), dep.keys, dep.given), "deployments",
                                    "bytes_per_param", "byte")[:, 1]
        texts = [PRECISION_OF_BYTES.get(float(b)) if b == b else None for b in per_profile]
        prec = overlay(prec, Names(dep.codes, texts, dep.given), ~prec.given & dep_has_bytes, r.n)
        r.seen["precision"] = prec
    r.v["bytes_per_param"] = point(prec.map(PRECISION_BYTES.get))
    r.use_fp8 = prec.map(lambda k: float(PRECISION_FLOPS_KEY[k] == "peak_flops_fp8")) > 0
    r.prec = prec


def _tokens(r: Run) -> None:
    """Input and output tokens: given, else the defaults (a reasoning model's output), capped at the context."""
    col, given, v, S, item, allrows = r.col, r.given, r.v, r.S, r.item, r.allrows
    reasoning = _reasoning_rows(r.c, r.n, r.model_keys, r.P, r.notes, r.names, item)
    choose(v, S, "input_tokens", [
        (given["input_tokens"] & ~item, col["input_tokens"], GIVEN),
        (item, point(0.0), ITEM_RULE),
        (allrows, constant_column("input_tokens", "token"), constant_rule("input_tokens")),
    ])
    choose(v, S, "output_tokens", [
        (given["output_tokens"] & ~item, col["output_tokens"], GIVEN),
        (item, point(1.0), ITEM_RULE),
        (reasoning, constant_column("reasoning_output_tokens", "token"), constant_rule("reasoning_output_tokens")),
        (allrows, constant_column("output_tokens", "token"), constant_rule("output_tokens")),
    ])
    _context_check(v, S, r.model_keys, given, item, r.P, r.notes, r.n)


def _gpu(r: Run) -> None:
    """The GPU's figures from the factor tables: peak FLOP/s (fp8 where the precision uses it), memory, power."""
    n, v, S, P, notes, allrows = r.n, r.v, r.S, r.P, r.notes, r.allrows
    gpu_keys = r.names("gpu", "H100", "GPU", lambda s: factors.find_key("gpus", s, "GPU"))
    notes.append((~gpu_keys.given, "no GPU given: the H100 is assumed"))
    fp8 = factor_column(gpu_keys, "gpus", "peak_flops_fp8", "FLOP/s")
    has_fp8 = ~np.isnan(fp8[:, 1])
    notes.append((np.broadcast_to(r.use_fp8 & ~has_fp8, (n,)),
                  "this GPU has no fp8/int8 peak in the factor tables: its bf16/fp16 peak is used"))
    choose(v, S, "peak_flops", [
        (r.use_fp8 & has_fp8, fp8, Rule("default", table="gpus", names=gpu_keys, parameter="peak_flops_fp8")),
        (allrows, factor_column(gpu_keys, "gpus", "peak_flops_bf16", "FLOP/s"),
         Rule("default", table="gpus", names=gpu_keys, parameter="peak_flops_bf16")),
    ])
    for name, parameter, unit in (("memory_bandwidth", "memory_bandwidth", "byte/s"), ("gpu_memory", "memory", "byte"),
                                  ("tdp", "tdp", "W"), ("idle_power", "idle_power", "W")):
        choose(v, S, name, [(allrows, factor_column(gpu_keys, "gpus", parameter, unit),
                             Rule("default", table="gpus", names=gpu_keys, parameter=parameter))])
    for name in ("peak_flops", "memory_bandwidth", "gpu_memory", "tdp", "idle_power"):
        P.add(gpu_keys.present & np.isnan(v[name][:, 1]), "gpu",
              f"the factor tables have no {name} for this GPU; pick another GPU")
    r.gpu_keys = gpu_keys


def _gpu_embodied(r: Run) -> None:
    """The GPU's embodied CO2e (or the H100's as a proxy), ADPe and primary energy (or Boavizta's A100 scaled)."""
    n, col, given, v, S, allrows, gpu_keys = r.n, r.col, r.given, r.v, r.S, r.allrows, r.gpu_keys
    choose_or_proxy(v, S, r.notes, r.c, "gpu_embodied", gpu_keys, "gpus", "embodied", "H100",
                    "no embodied figure for this GPU: the H100's is used as a proxy")
    # ADPe and primary energy of manufacture: the GPU's own rows where a source gives them, else Boavizta's
    # A100 80GB card scaled in proportion to the GPU's embodied CO2e (a documented scaling, named in the notes)
    reference_co2e = factors.get("gpus", "A100-80GB", "embodied").value  # [kgCO2e]
    scaled = np.zeros(n, dtype=bool)
    for name, parameter in (("gpu_embodied_adpe", "embodied_adpe"), ("gpu_embodied_pe", "embodied_pe")):
        unit = CORE[name].unit
        own = factor_column(gpu_keys, "gpus", parameter, unit)
        has_own = np.broadcast_to(~np.isnan(own[:, 1]), (n,))
        reference = triple(factors.get("gpus", "A100-80GB", parameter), unit)[None, :]
        mine = given.get(name, np.zeros(n, dtype=bool))
        scaled |= ~mine & ~has_own
        choose(v, S, name, [
            (mine, col.get(name, point(np.nan)), GIVEN),
            (has_own, own, Rule("default", table="gpus", names=gpu_keys, parameter=parameter)),
            (allrows, reference * v["gpu_embodied"] / reference_co2e,
             Rule("derived", table="gpus", key="A100-80GB", parameter=parameter,
                  formula=f"A100-80GB {parameter} x gpu_embodied / A100-80GB embodied ({reference_co2e:g} kgCO2e)",
                  inputs=("gpu_embodied",))),
        ])
    r.notes.append((scaled, "embodied ADPe and primary energy of this GPU and its server slot: Boavizta's A100 80GB "
                            "card and 8-GPU server scaled in proportion to their embodied CO2e"))


def _host(r: Run) -> None:
    """The host's power while serving and idle: given, else a ratio of the GPU's TDP (the profile's or generic)."""
    col, given, v, S, dep, allrows = r.col, r.given, r.v, r.S, r.dep, r.allrows
    ratio = triple(factors.get("servers", "gpu_server", "host_power_ratio"), D)[None, :]
    dep_ratio, has_dep_ratio = r.profile("host_power_ratio", D)
    choose(v, S, "host_power", [
        (given["host_power"], col["host_power"], GIVEN),
        (has_dep_ratio, dep_ratio * point(v["tdp"][:, 1]) if has_dep_ratio.any() else dep_ratio,  # unused without profile
         Rule("derived", table="deployments", names=dep, parameter="host_power_ratio",
              formula="host_power_ratio x gpu tdp", inputs=("tdp",))),
        (allrows, ratio * point(v["tdp"][:, 1]),
         Rule("derived", table="servers", key="gpu_server", parameter="host_power_ratio",
              formula="host_power_ratio x gpu tdp", inputs=("tdp",))),
    ])
    idle_ratio = triple(factors.get("servers", "gpu_server", "host_idle_ratio"), D)[None, :]
    dep_idle, has_dep_idle = r.profile("host_idle_ratio", D)
    with np.errstate(invalid="ignore"):
        host_idle_dep = np.minimum(dep_idle * v["host_power"], v["host_power"]) if has_dep_idle.any() else dep_idle
        host_idle_gen = np.minimum(idle_ratio * v["host_power"], v["host_power"])
    r.P.add(given["host_idle_power"] & given["host_power"] & (col["host_idle_power"][:, 1] > col["host_power"][:, 1]),
            "host_idle_power", "cannot exceed {host_power} (the host's power while serving)")
    choose(v, S, "host_idle_power", [
        (given["host_idle_power"], col["host_idle_power"], GIVEN),
        (has_dep_idle, host_idle_dep, Rule("derived", table="deployments", names=dep, parameter="host_idle_ratio",
                                           formula="host_idle_ratio x host power", inputs=("host_power",))),
        (allrows, host_idle_gen, Rule("derived", table="servers", key="gpu_server", parameter="host_idle_ratio",
                                      formula="host_idle_ratio x host power", inputs=("host_power",))),
    ])


def _server_embodied(r: Run) -> None:
    """The server slot's embodied CO2e (the H100's as a proxy), ADPe and primary energy; the hardware lifetime."""
    n, col, given, v, S, allrows = r.n, r.col, r.given, r.v, r.S, r.allrows
    choose_or_proxy(v, S, r.notes, r.c, "server_embodied", r.gpu_keys, "gpus", "server_embodied_per_gpu", "H100",
                    "no server slot figure for this GPU: the H100's 8-GPU server slot is used as a proxy")
    choose(v, S, "hardware_lifetime", [
        (given["hardware_lifetime"], col["hardware_lifetime"], GIVEN),
        (allrows, triple(factors.get("servers", "gpu_server", "lifetime"), "s")[None, :],
         Rule("default", table="servers", key="gpu_server", parameter="lifetime")),
    ])
    slot_co2e = factors.get("servers", "gpu_server", "embodied_per_gpu").value  # [kgCO2e] 8-GPU server slot
    for name, parameter in (("server_embodied_adpe", "embodied_adpe_per_gpu"),
                            ("server_embodied_pe", "embodied_pe_per_gpu")):
        reference = triple(factors.get("servers", "gpu_server", parameter), CORE[name].unit)[None, :]
        choose(v, S, name, [
            (given.get(name, np.zeros(n, dtype=bool)), col.get(name, point(np.nan)), GIVEN),
            (allrows, reference * v["server_embodied"] / slot_co2e,
             Rule("derived", table="servers", key="gpu_server", parameter=parameter,
                  formula=f"gpu_server {parameter} x server_embodied / gpu_server embodied_per_gpu ({slot_co2e:g} kgCO2e)",
                  inputs=("server_embodied",))),
        ])


def _gpus_and_batch(r: Run) -> None:
    """GPUs per instance (given ones must hold the weights) and the batch size (given, profile, default)."""
    from ..inference import gpus_needed

    n, c, col, given, v, S, item, allrows = r.n, r.c, r.col, r.given, r.v, r.S, r.item, r.allrows
    choose(v, S, "n_gpus", [(given["gpus"], col["gpus"], GIVEN), (item, point(1.0), Rule(
        "derived", formula="generic task path: one GPU unless gpus is given"))])
    with np.errstate(invalid="ignore", over="ignore"):  # rows past a maximum are reported, not used
        weights = np.broadcast_to(v["total_params"][:, 1] * v["bytes_per_param"][:, 1], (n,))
        capacity = np.broadcast_to(col["gpus"][:, 1] * v["gpu_memory"][:, 1], (n,))
        fail = given["gpus"] & ~item & (weights > capacity)
    if fail.any():
        msgs = np.empty(n, dtype=object)
        gpus_given = np.broadcast_to(col["gpus"][:, 1], (n,))
        for i in np.flatnonzero(fail):
            msgs[i] = (f"the weights need {weights[i] / 1e9:.0f} GB at {r.prec.key(i)} but {gpus_given[i]:g} x "
                       f"{r.gpu_keys.key(i)} hold {capacity[i] / 1e9:.0f} GB; use more GPUs, a lower precision or "
                       "leave {gpus} out")
        r.P.add(fail, "gpus", msgs)
    per_gpu, has_per_gpu = r.profile("batch_per_gpu", D)
    dep_batch, has_dep_batch = r.profile("batch_size", D)
    mem_overhead = c.constants.get("memory_overhead", constant_column("memory_overhead", D))[:, 1]
    per_instance = per_gpu  # the GPUs of an instance matter only to a profile's batch per GPU
    if has_per_gpu.any():
        with np.errstate(invalid="ignore", over="ignore"):
            instance = np.where(given["gpus"], np.broadcast_to(col["gpus"][:, 1], (n,)), gpus_needed(
                np.broadcast_to(v["total_params"][:, 1], (n,)), np.broadcast_to(v["bytes_per_param"][:, 1], (n,)),
                np.broadcast_to(v["gpu_memory"][:, 1], (n,)), mem_overhead))
            per_instance = per_gpu * instance[:, None]
    choose(v, S, "batch_size", [
        (given["batch_size"], col["batch_size"], GIVEN),
        (item, point(1.0), ITEM_RULE),
        (has_per_gpu, per_instance, Rule("derived", table="deployments", names=r.dep, parameter="batch_per_gpu",
                                         formula="batch_per_gpu x GPUs per instance (central model size)",
                                         inputs=("total_params", "gpu_memory"))),
        (has_dep_batch, dep_batch, r.profile_rule("batch_size")),
        (allrows, constant_column("batch_size", D), constant_rule("batch_size")),
    ])
    choose(v, S, "kv_bytes_per_token", [(given["kv_bytes_per_token"], col["kv_bytes_per_token"], GIVEN)])


def _serving_stack(r: Run) -> None:
    """The serving stack (factors/serving_stacks.csv) and every model constant: given, the stack's, or the table's."""
    from ..inputs import CONSTANTS

    c, v, S, allrows = r.c, r.v, r.S, r.allrows
    # the serving stack sets the per-sequence cost of a decode step (factors/serving_stacks.csv)
    stack = r.names("serving_stack", DEFAULT_STACK, "serving stack",
                    lambda s: factors.find_key("serving_stacks", s, "serving stack"))
    r.notes.append((~stack.given & ~r.item & (r.path == 0),
                    f"serving stack: {DEFAULT_STACK} (current serving software); {{serving_stack}} vllm_2024 for the "
                    "2024 generation, whose per-sequence step cost is several times larger"))
    for name in CONSTANTS:
        unit = CORE[name].unit
        given_c = c.constants_given.get(name, r.none)
        by_stack = [(allrows, factor_column(stack, "serving_stacks", name, unit),
                     Rule("default", table="serving_stacks", names=stack, parameter=name))] \
            if name in STACK_CONSTANTS else []
        fallback = [] if by_stack else [(allrows, constant_column(name, unit), constant_rule(name))]
        choose(v, S, name, [(given_c, c.constants.get(name, point(np.nan)), GIVEN)] + by_stack + fallback)


def _volume(r: Run) -> None:
    """Provisioning (shared, dedicated), the request rate, the fleet utilisation and the period of the totals."""
    n, col, given, v, S, P = r.n, r.col, r.given, r.v, r.S, r.P
    prov = r.names("provisioning", "shared", "provisioning", lower_choice(PROVISIONING))
    is_dedicated = prov.map(lambda k: float(k == "dedicated"))
    dedicated = np.broadcast_to(is_dedicated > 0, (n,))
    v["dedicated"] = point(is_dedicated)
    choose(v, S, "request_rate", [(given["requests"], col["requests"], GIVEN)])
    P.add(dedicated & ~given["requests"], "requests",
          "dedicated provisioning needs the volume (e.g. '10000/day'): a dedicated endpoint's idle energy "
          "is spread over the requests it serves")
    choose(v, S, "fleet_utilisation", [
        (dedicated, point(1.0), Rule("derived", formula="dedicated endpoint: utilisation from its traffic")),
        (given["fleet_utilisation"], col["fleet_utilisation"], GIVEN),
        (r.profile("fleet_utilisation", D)[1], r.profile("fleet_utilisation", D)[0],
         r.profile_rule("fleet_utilisation")),
        (r.allrows, constant_column("fleet_utilisation", D), constant_rule("fleet_utilisation")),
    ])
    P.add(given["period"] & ~given["requests"], "period", "give {requests} too (the totals are requests per time x period)")
    period = np.where(given["period"], col["period"][:, 1], scale("year", "s"))
    period = np.broadcast_to(np.where(given["requests"], period, np.nan), (n,))
    r.notes.append((given["requests"] & ~given["period"], "period of the totals: 1 year (default)"))
    r.dedicated, r.period = dedicated, period


def _flop_and_measured_paths(r: Run) -> None:
    """The inputs of the simple FLOP path (utilisation, power per GPU) and of the measured path (energy per token)."""
    col, given, v, S, P, notes, tps, pw = r.col, r.given, r.v, r.S, r.P, r.notes, r.tps, r.pw
    choose(v, S, "flop_utilisation", [
        (given["flop_utilisation"], col["flop_utilisation"], GIVEN),
        (r.item_flops, constant_column("eta_compute", D), constant_rule("eta_compute")),
    ])
    notes.append((given["flop_utilisation"] | r.item_flops, "simple FLOP path: energy = FLOPs / (peak FLOP/s x "
                                                           "utilisation) x power"))
    P.add(given["power_per_gpu"] & ~given["flop_utilisation"], "power_per_gpu",
          "applies to the simple FLOP path; give {flop_utilisation} too")
    choose(v, S, "power_per_gpu", [(given["power_per_gpu"], col["power_per_gpu"], GIVEN)])
    P.add(~given["measured_energy_per_token"] & (tps ^ pw), "measured_power" if np.any(tps) else
          "measured_tokens_per_second", "a measured throughput needs both {measured_tokens_per_second} and {measured_power}")
    with np.errstate(invalid="ignore", divide="ignore"):
        derived = point(col["measured_power"][:, 1] / col["measured_tokens_per_second"][:, 1])
    choose(v, S, "measured_energy_per_token", [
        (given["measured_energy_per_token"], col["measured_energy_per_token"], GIVEN),
        (tps & pw, derived, Rule("derived", formula="measured power / measured throughput",
                                 inputs=("measured_power", "measured_tokens_per_second"))),
    ])
    notes.append((r.measured, "measured path: the measured IT energy per output token replaces the hardware model "
                              "(PUE still applied)"))


def _datacentre(r: Run) -> None:
    """PUE and WUE: given, else the named data-centre profile's, else the deployment profile's, else the default."""
    col, given, v, S = r.col, r.given, r.v, r.S
    dc_keys = r.names("datacenter", "industry_average", "datacenter profile",
                      lambda s: factors.find_key("datacenters", s, "datacenter profile"))
    for name in ("pue", "wue"):
        table_value = factor_column(dc_keys, "datacenters", name, CORE[name].unit)
        r.P.add(~given[name] & dc_keys.present & np.isnan(table_value[:, 1]), name,
                "no default in the factor tables for this row; give it explicitly")
        dep_value, has_dep_value = r.profile(name, CORE[name].unit)
        choose(v, S, name, [(given[name], col[name], GIVEN),
                            (dc_keys.given, table_value, Rule("default", table="datacenters", names=dc_keys,
                                                              parameter=name)),
                            (has_dep_value, dep_value, r.profile_rule(name)),
                            (r.allrows, table_value, Rule("default", table="datacenters", names=dc_keys,
                                                          parameter=name))])


def _grid(r: Run) -> None:
    """The zone's electricity: carbon (weighted by a usage profile), water, ADPe, primary energy; the water scope."""
    c, col, given, v, S, notes = r.c, r.col, r.given, r.v, r.S, r.notes
    zone_keys = r.names("zone", "WOR", "zone", lambda s: factors.find_key("grid", s, "zone"))
    notes.append((~zone_keys.given & ~given["grid_intensity"], "no {zone} given: the world average grid intensity is used"))
    zone_carbon = factor_column(zone_keys, "grid", "carbon_intensity", "kg/J")
    r.P.add(~given["grid_intensity"] & zone_keys.present & np.isnan(zone_carbon[:, 1]), "grid_intensity",
            "no default in the factor tables for this row; give it explicitly")
    choose(v, S, "grid_intensity", [(given["grid_intensity"], col["grid_intensity"], GIVEN),
                                    (r.allrows, zone_carbon, Rule("default", table="grid", names=zone_keys,
                                                                  parameter="carbon_intensity"))])
    _usage_profile(v, S, c, zone_keys, r.P, notes, r.names)
    choose_or_proxy(v, S, notes, c, "water_intensity", zone_keys, "grid", "water_intensity", "WOR",
                    "no water intensity of electricity for this zone: the world average is used")
    choose_or_proxy(v, S, notes, c, "grid_adpe", zone_keys, "grid", "adpe_intensity", "WOR",
                    "no ADPe factor of electricity for this zone: the world proxy (median of national values) is used")
    choose_or_proxy(v, S, notes, c, "grid_primary_energy", zone_keys, "grid", "primary_energy_intensity", "WOR",
                    "no primary-energy factor of electricity for this zone: the world proxy (median of national "
                    "values) is used")
    scope = r.names("water_scope", "onsite+electricity", "water scope",
                    lower_choice(("onsite", "onsite+electricity")))
    v["water_offsite"] = point(scope.map(lambda k: float(k == "onsite+electricity")))
    notes.append((~scope.given, "water scope: onsite+electricity (the data centre's cooling water and the water "
                                "consumed to generate its electricity); {water_scope} onsite counts the cooling "
                                "water only, as providers report it"))


def _reasoning_rows(c, n, model_keys, P, notes, names, item):
    """Rows in reasoning use: {reasoning} on, or not given for a catalogue model that always reasons."""
    mode = names("reasoning", None, "reasoning", lower_choice(("on", "off")))
    kind = catalogue_field(model_keys, "reasoning")
    on_given = mode.map(lambda k: float(k == "on")) > 0
    cat_yes = kind.map(lambda k: float(k == "yes")) > 0
    cat_hybrid = kind.map(lambda k: float(k == "hybrid")) > 0
    cat_no = kind.map(lambda k: float(k == "no")) > 0
    on_given, cat_yes = np.broadcast_to(on_given, (n,)), np.broadcast_to(cat_yes, (n,)) & model_keys.given
    cat_hybrid = np.broadcast_to(cat_hybrid, (n,)) & model_keys.given
    P.add(on_given & np.broadcast_to(cat_no, (n,)) & model_keys.given, "reasoning",
          "this catalogue model does not reason; leave {reasoning} out or give --output-tokens")
    P.add(mode.given & item, "reasoning", "applies to language models, not to the generic per-item path")
    on = (on_given | (~mode.given & cat_yes)) & ~item
    out_given = c.given["output_tokens"]
    notes.append((on & ~out_given, "reasoning use: default output of a reasoning model (thinking tokens included, "
                                   "ML.ENERGY v3's problem-solving average); {reasoning} off for short answers"))
    notes.append((~mode.given & cat_hybrid & ~out_given & ~item,
                  "this model can reason on request: {reasoning} on charges a reasoning answer's output length"))
    notes.append((on & out_given, "{reasoning} on: the given output tokens are used (they should include the "
                                  "thinking tokens)"))
    return on


def _context_check(v, S, model_keys, given, item, P, notes, n):
    """Input tokens above a catalogue model's context length: refused when given, capped (with a note) when a default."""
    ctx = factor_column(model_keys, "models", "context_length", "token")[:, 1]
    ctx = np.broadcast_to(ctx, (n,))
    with np.errstate(invalid="ignore"):
        over = ~item & model_keys.given & ~np.isnan(ctx)
        tokens = np.broadcast_to(v["input_tokens"], (n, 3))
        bad = over & given["input_tokens"] & (tokens[:, 2] > ctx)
        if bad.any():
            P.add(bad, "input_tokens", LazyMessages(ctx, "exceeds the model's context length of {:.0f} tokens; give "
                                                         "fewer tokens or a model with a longer context"))
        capped = over & ~given["input_tokens"] & (tokens[:, 2] > ctx)
    if capped.any():
        v["input_tokens"] = where(capped, np.minimum(tokens, ctx[:, None]), v["input_tokens"])
        notes.append((capped, "the default {input_tokens} range is capped at the model's context length"))


def _usage_profile(v, S, c, zone_keys, P, notes, names):
    """A usage profile weights the zone's hourly intensity (footprint.hourly); zones without hourly data keep
    their yearly factor, with a note.  A given grid intensity wins over the profile."""
    n = c.n
    if c.names.get("usage_profile") is None:
        return
    from .. import hourly

    def check_profile(text):
        hourly.parse_profile(text)  # refused here with one line when it does not parse
        return text

    prof = names("usage_profile", None, "usage profile", check_profile)
    on = prof.given & zone_keys.present & ~c.given["grid_intensity"]
    notes.append((prof.given & c.given["grid_intensity"],
                  "the usage profile is not applied: {grid_intensity} was given"))
    if not on.any():
        return
    zc = np.broadcast_to(zone_keys.codes, (n,))
    pc = np.broadcast_to(prof.codes, (n,))
    value = np.full(n, np.nan)
    hourly_rows = np.zeros(n, dtype=bool)
    first_key = None
    for z, p in set(zip(zc[on].tolist(), pc[on].tolist())):
        rows = on & (zc == z) & (pc == p)
        zone, spec = zone_keys.keys[z], prof.keys[p]
        try:
            r = hourly.profile_intensity(zone, spec)
        except InputError as exc:
            P.add(rows, "usage_profile", str(exc))
            continue
        if r.get("hourly"):
            value[rows] = r["value_g_per_kwh"] * 1e-3 / 3.6e6  # g/kWh -> kg/J
            hourly_rows |= rows
            first_key = first_key or zone
            notes.append((rows, f"usage profile: {r['description']}; the hourly series (Electricity Maps, "
                                "life-cycle, consumption-based) has another boundary than the zone's yearly "
                                "default, so compare profiles within the series; average, not marginal, intensity"))
        else:
            notes.append((rows, r["note"]))
    notes.append((hourly_rows, "the usage profile moves CO2e only: ADPe and primary energy keep the zone's yearly "
                               "factors (no hourly series of them)"))
    if hourly_rows.any():
        v["grid_intensity"] = where(hourly_rows, point(value), v["grid_intensity"])
        S.rules["grid_intensity"] = [(hourly_rows, Rule(
            "derived", table="grid_hourly", names=zone_keys, parameter="carbon_intensity_lca",
            formula="hourly intensity weighted by the usage profile", inputs=("zone", "usage_profile"),
            status="published"))] + S.rules["grid_intensity"]
