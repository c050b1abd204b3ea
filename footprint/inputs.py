"""The input registry: every input of an estimate declared once.

Two levels of inputs are declared here:

* :data:`USER` — what a user gives (a flag of ``footprint estimate``, a key of a
  scenario step, a column of a batch table, a keyword of
  :func:`footprint.resolve.resolve`): its neutral name, unit, how a value is read
  (count, bare unit, range), its checks, a label for people, its default and help.
  The click options, the batch column specs, the scenario keys and the keyword
  arguments are generated from this table.
* :data:`CORE` — the magnitudes :func:`footprint.estimator.compute` runs on: internal
  unit, direction of effect (whether a larger value gives a larger footprint, used to
  orient ranges on the case axis) and a label for people (plots, tables).

Neutral names are the core's; the command line spells them ``--training-lifetime-requests``,
TOML files ``training_lifetime_requests``, batch tables ``column training_lifetime_requests``
(:func:`label`).

>>> USER["params"].unit
'parameter'
>>> label("training_lifetime_requests", "cli")
'--training-lifetime-requests'
>>> CORE["batch_size"].increasing
False
"""

from __future__ import annotations

from dataclasses import dataclass

D = "dimensionless"

#: Most Monte Carlo draws per scenario a command takes: one scenario's draws live in memory at once
#: (about a hundred arrays of this many floats, 160 MB at 200,000).
MAX_SAMPLES = 200_000


@dataclass(frozen=True)
class UserInput:
    """One input a user may give.

    Attributes
    ----------
    name : str
        Neutral name (keyword, TOML key, batch column).
    unit : str or None
        Internal unit of the value [unit]; None for a name (GPU, zone...) or a choice.
    help : str
        One line for ``--help`` (``{default}`` is filled from the factor tables when shown).
    count : bool
        A count: accepts a scale (``70B``, ``1.5T``).
    bare : str or None
        Unit of a bare number (``token``, ``hour``); None: a bare number needs a unit
        (dimensionless inputs accept bare numbers).
    whole, positive : bool
        Checks: a whole number; strictly greater than zero.
    minimum, maximum : float or None
        Checks, in `unit`.  A count's minimum makes an implausible bare count an error.
    ranged : bool
        Whether a range is accepted.
    default : tuple or None
        ``(table, key, parameter)`` of the factor row holding the default, for help texts.
    choices : tuple
        Accepted values of a choice input.
    minimum_hint : str
        What to say when the minimum is not met.
    shown_unit : str or None
        Unit in which the limits and the value are shown in messages (``g/kWh`` for an
        intensity kept in kg/J); None: `unit`.
    """

    name: str
    unit: str | None
    help: str
    count: bool = False
    bare: str | None = None
    whole: bool = False
    positive: bool = True
    minimum: float | None = None
    maximum: float | None = None
    ranged: bool = True
    default: tuple | None = None
    choices: tuple = ()
    minimum_hint: str = ""
    shown_unit: str | None = None

    @property
    def is_name(self) -> bool:
        return self.unit is None

    @property
    def bare_unit(self) -> str | None:
        if self.bare is not None:
            return self.bare
        return self.unit if self.unit == D else None


# -- physical maxima ------------------------------------------------------------------------------
# A value above these is a typo or a unit slip, not a use case: refusing it keeps every figure finite
# (1e308 parameters overflow float64 in the memory sizing) and tells the user at once.  Each bound is
# one to three orders of magnitude above the largest real case, so no real estimate is refused.
_YEAR = 365.25 * 86400.0  # [s] (footprint/units.txt: a Julian year)
_KWH = 3.6e6  # [J]
MAX_PARAMS = 1e14  # parameters: the largest published models have ~2e12; 100 T leaves a 50x margin
MAX_TOKENS = 1e8  # tokens per request: the longest context windows are ~1e7 tokens
MAX_REQUEST_RATE = 1e9  # [1/s]: every person on Earth sending one request every 8 s
MAX_PERIOD = 1000 * _YEAR  # [s]: totals over a millennium at most
MAX_GPUS = 1e5  # GPUs per serving instance: the largest clusters hold ~1e5 GPUs in all
MAX_BATCH = 1e5  # concurrent requests per instance: serving engines run up to ~1e3-1e4
MAX_POWER_PER_GPU = 1e6  # [W]: 1 MW per GPU (a GPU board draws ~1e3 W, its host less)
MAX_MEASURED_POWER = 1e9  # [W]: 1 GW, the largest data-centre campuses
MAX_CARBON = 3.0 / _KWH  # [kg/J]: 3 kgCO2e/kWh; lignite plants emit ~1.1-1.3 kgCO2e/kWh
MAX_WATER = 1000.0 / _KWH  # [L/J]: 1000 L/kWh; hydro reservoirs' evaporation reaches a few hundred L/kWh
MAX_WUE = 100.0 / _KWH  # [L/J]: 100 L/kWh on site; evaporative cooling uses ~0.2-10 L/kWh
MAX_ENERGY_PER_TOKEN = 1e6  # [J/token]: 1 MJ (0.28 kWh) a token; measured GPUs spend ~0.01-10 J
MAX_TOKEN_RATE = 1e12  # [token/s]: far above the whole world's inference throughput
MAX_FLOPS_PER_ITEM = 1e26  # [FLOP]: the compute of a frontier model's whole training run
MAX_ENERGY_PER_ITEM = 1e3 * _KWH  # [J]: 1 MWh per item
MAX_KV_BYTES = 1e9  # [byte/token]: 1 GB per token; real models keep ~1e4-1e6 bytes
MAX_EMBODIED = 1e5  # [kg]: 100 tCO2e per GPU or server slot; published figures are ~1e2-3e3 kg
MAX_LIFETIME = 50 * _YEAR  # [s]: servers are written off in 3-6 years
MAX_GPU_HOURS = 1e10 * 3600.0  # [s]: 1e10 GPU-hours; the largest published runs take ~3e7-1e8
MAX_TRAINING_TOKENS = 1e17  # tokens: frontier runs train on ~1.5e13-4e13 tokens
MAX_LIFETIME_REQUESTS = 1e20  # requests: 1e9/s for 3,000 years
MAX_PER_TASK = 1e6  # requests per task of a scenario: an agent loop of a million calls
MAX_VOLUME = MAX_REQUEST_RATE  # [1/s] tasks per time of a scenario, as a request rate
MAX_HORIZON = MAX_PERIOD  # [s] horizon of a scenario
MAX_AGENT_TIME = 1e6 * 3600.0  # [s] human time per task: a million hours (a career is ~7e4)
MAX_ACTIVITY_QUANTITY = 1e6  # of an activity's own unit (hour, km, GB, item) per task of a scenario
MAX_ENERGY_BUDGET = 1e17 / _YEAR * 3600.0  # [W]: 1e5 TWh/year, above the world's electricity (~3e4 TWh/year)
MAX_CO2E_BUDGET = 1e14 / _YEAR  # [kg/s]: 1e11 tCO2e/year, above the world's emissions (~5e10 t/year)
MAX_RATIO_CAP = 1e6  # AI / alternative CO2e ratio cap of a sobriety budget

#: Smallest utilisation or efficiency share read (0.1 %): they divide the time charged, so a share of 1e-299
#: would multiply a footprint by 1e299; no serving fleet or training run is busy less than 0.1 % of the time.
MIN_SHARE = 1e-3
_SHARE_HINT = "a share below 0.1 % is not a plausible utilisation"
_SIZE_HINT = "a model size needs a scale or a unit, e.g. '70B', '7e10' or '70 billion'"

_USER = (
    UserInput("model", None, "Catalogue model (`footprint factors list models`), e.g. llama-3.1-70b."),
    UserInput("deployment", None, "How the model is served: frontier_api, cloud_api, self_hosted, on_premise "
              "(factors/deployments.csv: precision, batch, utilisation, PUE, host power) [default: the catalogue "
              "model's profile; none without --model]."),
    UserInput("serving_stack", None, "Serving software generation, for its per-sequence cost of a decode step: "
              "vllm_2025 (vLLM 0.11 and engines of its generation) or vllm_2024 (vLLM 0.5) "
              "(factors/serving_stacks.csv) [default vllm_2025]."),
    UserInput("params", "parameter", "Total parameters, e.g. 70B (a range: 50B..70B).", count=True, bare="parameter",
              minimum=1e5, maximum=MAX_PARAMS, minimum_hint=_SIZE_HINT),
    UserInput("active_params", "parameter", "Active parameters per token (MoE), e.g. 13B.", count=True,
              bare="parameter", minimum=1e5, maximum=MAX_PARAMS, minimum_hint=_SIZE_HINT),
    UserInput("precision", None, "Weight precision: bf16, fp16, fp8, int8, fp4, int4, fp32 [default bf16].",
              choices=("bf16", "fp16", "fp8", "int8", "fp4", "int4", "fp32")),
    UserInput("input_tokens", "token", "Prompt tokens per request [default {default}].", count=True, bare="token",
              whole=True, positive=False, minimum=0, maximum=MAX_TOKENS, default=("constants", "input_tokens", "value")),
    UserInput("output_tokens", "token", "Output tokens per request [default {default}].", count=True, bare="token",
              whole=True, minimum=0, maximum=MAX_TOKENS, default=("constants", "output_tokens", "value")),
    UserInput("reasoning", None, "Reasoning use of a model that can reason: on (default output {default} tokens) "
              "or off [default: on for reasoning models, off for hybrid ones].", choices=("on", "off"),
              default=("constants", "reasoning_output_tokens", "value")),
    UserInput("requests", "1/s", "Request volume, e.g. '10000/day' (gives totals; needed for dedicated).",
              maximum=MAX_REQUEST_RATE, shown_unit="1/s"),
    UserInput("period", "s", "Period of the totals, e.g. '1 year' (default).", ranged=False, maximum=MAX_PERIOD,
              shown_unit="year"),
    UserInput("gpu", None, "GPU profile (`footprint factors list gpus`) [default H100]."),
    UserInput("gpus", D, "GPUs per serving instance [default: from the model's memory].", whole=True,
              maximum=MAX_GPUS),
    UserInput("batch_size", D, "Concurrent requests per instance [default {default}].", minimum=1,
              maximum=MAX_BATCH, default=("constants", "batch_size", "value")),
    UserInput("provisioning", None, "shared (API: busy time + fleet idle share) or dedicated (endpoint on all "
              "period) [default shared].", choices=("shared", "dedicated")),
    UserInput("zone", None, "Grid zone, ISO 3166 alpha-3 (FRA, USA...), WOR or EU27 [default WOR]."),
    UserInput("grid_intensity", "kg/J", "Carbon intensity of the electricity, e.g. '50 g/kWh'.", positive=False,
              minimum=0, maximum=MAX_CARBON, shown_unit="g/kWh"),
    UserInput("usage_profile", None, "When the work happens, for the hourly grid of FRA, DEU, GBR: 24/7, "
              "office-hours[:TZ], weekly:W0;...;W167, window:START/DURATION (docs/hourly.md) [default: the zone's "
              "yearly factor]."),
    UserInput("water_intensity", "L/J", "Water consumed per kWh generated, e.g. '3 L/kWh'.", positive=False,
              minimum=0, maximum=MAX_WATER, shown_unit="L/kWh"),
    UserInput("water_scope", None, "Water counted: onsite (cooling water of the data centre only, as providers "
              "report it) or onsite+electricity (also the water consumed to generate the electricity) [default "
              "onsite+electricity].", choices=("onsite", "onsite+electricity")),
    UserInput("datacenter", None, "Datacenter profile for PUE/WUE (industry_average, hyperscale, ai_datacenter, "
              "on_premise) [default industry_average]."),
    UserInput("pue", D, "Power usage effectiveness, e.g. 1.2 (>= 1) [default {default}].", minimum=1.0,
              maximum=5.0, default=("datacenters", "industry_average", "pue")),
    UserInput("wue", "L/J", "On-site water usage effectiveness, e.g. '0.4 L/kWh'.", positive=False, minimum=0,
              maximum=MAX_WUE, shown_unit="L/kWh"),
    UserInput("fleet_utilisation", D, "Busy share of a shared fleet, in [0.001, 1] [default {default}].", maximum=1.0,
              minimum=MIN_SHARE, minimum_hint=_SHARE_HINT,
              default=("constants", "fleet_utilisation", "value")),
    UserInput("host_power", "W", "Host power per GPU (CPU, RAM, network), e.g. '150 W' [default: {default} x the "
              "GPU's TDP].", positive=False, minimum=0, maximum=MAX_POWER_PER_GPU, shown_unit="W",
              default=("servers", "gpu_server", "host_power_ratio")),
    UserInput("host_idle_power", "W", "Host power per GPU while the instance idles, e.g. '90 W' [default: {default} x "
              "the host power].", positive=False, minimum=0, maximum=MAX_POWER_PER_GPU, shown_unit="W",
              default=("servers", "gpu_server", "host_idle_ratio")),
    UserInput("flop_utilisation", D, "Simple FLOP path: share of peak FLOP/s achieved, in [0.001, 1].", maximum=1.0,
              minimum=MIN_SHARE, minimum_hint=_SHARE_HINT),
    UserInput("power_per_gpu", "W", "Simple FLOP path: all-in average power per GPU, e.g. '900 W'.",
              maximum=MAX_POWER_PER_GPU, shown_unit="W"),
    UserInput("measured_energy_per_token", "J/token", "Measured IT energy per output token, e.g. '0.3 J/token' or "
              "'0.05 Wh/ktoken'.", maximum=MAX_ENERGY_PER_TOKEN),
    UserInput("measured_tokens_per_second", "token/s", "Measured output throughput (with --measured-power).",
              maximum=MAX_TOKEN_RATE),
    UserInput("measured_power", "W", "Measured average IT power during that throughput, e.g. '2.5 kW'.",
              maximum=MAX_MEASURED_POWER, shown_unit="W"),
    UserInput("flops_per_item", "FLOP", "Generic (non-LLM) task: FLOPs per item, e.g. '5e12' (per_request = per "
              "item).", count=True, bare="FLOP", maximum=MAX_FLOPS_PER_ITEM),
    UserInput("energy_per_item", "J", "Generic task: measured IT energy per item, e.g. '2 J'.",
              maximum=MAX_ENERGY_PER_ITEM, shown_unit="J"),
    UserInput("kv_bytes_per_token", "byte/token", "KV cache per token of context, e.g. '320 kB' [default: from "
              "size].", positive=False, minimum=0, maximum=MAX_KV_BYTES),
    UserInput("gpu_embodied", "kg", "Embodied emissions of one GPU, e.g. '164 kgCO2e' [default: the GPU's row].", positive=False, minimum=0,
              maximum=MAX_EMBODIED, shown_unit="kg"),
    UserInput("server_embodied", "kg", "Embodied emissions of the server per GPU slot [default: the GPU's own "
              "server slot, e.g. `footprint factors show L4`].", positive=False, minimum=0, maximum=MAX_EMBODIED,
              shown_unit="kg"),
    UserInput("hardware_lifetime", "s", "Service life of the hardware, e.g. '4 year' [default {default}].",
              maximum=MAX_LIFETIME, shown_unit="year", default=("servers", "gpu_server", "lifetime")),
    UserInput("training_gpu_hours", "s", "Training GPU-hours (default from the model card when known).",
              bare="hour", maximum=MAX_GPU_HOURS, shown_unit="hour"),
    UserInput("training_gpu_power", "W", "Average power per training GPU, e.g. '400 W'.",
              maximum=MAX_POWER_PER_GPU, shown_unit="W"),
    UserInput("training_pue", D, "PUE of the training site [default: the site's PUE where a card adjusts its TDP "
              "for it (Meta's), else 1: the training power's range includes it].", minimum=1.0, maximum=5.0),
    UserInput("training_gpu", None, "Accelerator the model was trained on, e.g. TPU-v5p (`footprint factors list "
              "gpus`) [default: the catalogue's, else the serving GPU]."),
    UserInput("training_zone", None, "Grid zone of the training site [default: the model developer's, "
              "else the world average]."),
    UserInput("training_grid_intensity", "kg/J", "Carbon intensity of the training site.", positive=False,
              minimum=0, maximum=MAX_CARBON, shown_unit="g/kWh"),
    UserInput("training_tokens", "token", "Training tokens (6 N D path), e.g. 15T.", count=True, bare="token",
              maximum=MAX_TRAINING_TOKENS),
    UserInput("training_mfu", D, "Model FLOP utilisation of training [default {default}].", maximum=1.0,
              minimum=MIN_SHARE, minimum_hint=_SHARE_HINT,
              default=("constants", "training_mfu", "value")),
    UserInput("training_lifetime_requests", "request", "Amortise training over this many requests, e.g. 1e10.",
              count=True, bare="request", maximum=MAX_LIFETIME_REQUESTS),
    UserInput("training_share", D, "Or charge this share of the training to this use case's requests.",
              maximum=1.0),
)

#: Every user input by neutral name, in the order of ``footprint estimate --help``.
USER = {i.name: i for i in _USER}

#: Method constants of factors/constants.csv a user may override (``constants`` of resolve).
CONSTANTS = ("eta_compute", "eta_prefill", "eta_memory", "u_memory", "u_compute", "step_overhead",
             "memory_overhead", "kv_coefficient", "kv_exponent", "model_error", "gpus_per_node",
             "internode_bandwidth", "layers_per_width", "activation_bytes")

#: Largest accepted override of each method constant (factors/constants.csv gives the values and ranges).
CONSTANT_MAXIMA = {
    "eta_compute": 1.0, "eta_prefill": 1.0, "eta_memory": 1.0, "u_memory": 1.0, "u_compute": 1.0,  # shares of a peak
    "step_overhead": 1.0,  # [s] per sequence and decode step; 1e-4 to 1e-3 s by serving stack
    "model_error": 100.0,  # factor on the modelled busy time and energy; 1 centrally
    "gpus_per_node": 1e4,  # GPUs of one NVLink domain; 8 (HGX), 72 (NVL72)
    "internode_bandwidth": 1e13,  # [byte/s] per GPU; 50 GB/s (400 Gb/s InfiniBand)
    "layers_per_width": 1.0,  # transformer depth / width; ~0.008
    "activation_bytes": 8.0,  # [byte] per activation value; 2 (bf16)
    "memory_overhead": 100.0,  # memory per byte of weights; 1.1-1.5 in practice
    "kv_coefficient": 1e8,  # KV elements per token for 1B parameters; fitted 2.2e4-2.5e5
    "kv_exponent": 3.0,  # of the KV power law; fitted 0.196
}


@dataclass(frozen=True)
class CoreInput:
    """One magnitude of :func:`footprint.estimator.compute`: internal unit, direction, label."""

    name: str
    unit: str
    increasing: bool
    label: str
    optional: bool = False


_CORE = (
    CoreInput("total_params", "parameter", True, "model size (parameters)"),
    CoreInput("active_params", "parameter", True, "active parameters"),
    CoreInput("bytes_per_param", "byte", True, "bytes per parameter"),
    CoreInput("input_tokens", "token", True, "input tokens per request"),
    CoreInput("output_tokens", "token", True, "output tokens per request"),
    CoreInput("n_gpus", D, True, "GPUs per instance", optional=True),
    CoreInput("batch_size", D, False, "batch size (concurrent requests)"),
    CoreInput("peak_flops", "FLOP/s", False, "GPU peak FLOP/s"),
    CoreInput("memory_bandwidth", "byte/s", False, "GPU memory bandwidth"),
    CoreInput("gpu_memory", "byte", False, "GPU memory"),
    CoreInput("tdp", "W", True, "GPU power at full load (TDP)"),
    CoreInput("idle_power", "W", True, "GPU idle power"),
    CoreInput("host_power", "W", True, "host power per GPU"),
    CoreInput("host_idle_power", "W", True, "host power per GPU while idle"),
    CoreInput("pue", D, True, "data-centre PUE"),
    CoreInput("wue", "L/J", True, "data-centre water use (WUE)"),
    CoreInput("grid_intensity", "kg/J", True, "grid carbon intensity"),
    CoreInput("water_intensity", "L/J", True, "water intensity of electricity"),
    CoreInput("water_offsite", D, True, "water of electricity generation counted (1) or not (0)"),
    CoreInput("grid_adpe", "kg/J", True, "abiotic depletion (ADPe, Sb eq) of electricity"),
    CoreInput("grid_primary_energy", D, True, "primary energy per unit of electricity"),
    CoreInput("fleet_utilisation", D, False, "utilisation of a shared fleet"),
    CoreInput("request_rate", "1/s", False, "request rate", optional=True),
    CoreInput("dedicated", D, True, "dedicated provisioning"),
    CoreInput("gpu_embodied", "kg", True, "embodied emissions of a GPU"),
    CoreInput("server_embodied", "kg", True, "embodied emissions of the server per GPU"),
    CoreInput("gpu_embodied_adpe", "kg", True, "embodied abiotic depletion (ADPe, Sb eq) of a GPU"),
    CoreInput("gpu_embodied_pe", "J", True, "embodied primary energy of a GPU"),
    CoreInput("server_embodied_adpe", "kg", True, "embodied abiotic depletion (ADPe, Sb eq) of the server per GPU"),
    CoreInput("server_embodied_pe", "J", True, "embodied primary energy of the server per GPU"),
    CoreInput("hardware_lifetime", "s", False, "hardware service life"),
    CoreInput("eta_compute", D, False, "decode compute efficiency (calibrated)"),
    CoreInput("eta_prefill", D, False, "prefill compute efficiency"),
    CoreInput("eta_memory", D, False, "memory-bandwidth efficiency (calibrated)"),
    CoreInput("u_memory", D, True, "GPU load when memory-bound (calibrated)"),
    CoreInput("u_compute", D, True, "GPU load when compute-bound (calibrated)"),
    CoreInput("step_overhead", "s", True, "serving overhead per sequence and step (serving stack)"),
    CoreInput("model_error", D, True, "model error factor (calibration residual)"),
    CoreInput("gpus_per_node", D, False, "GPUs per node (NVLink domain)"),
    CoreInput("internode_bandwidth", "byte/s", False, "node interconnect bandwidth per GPU"),
    CoreInput("layers_per_width", D, True, "transformer depth per width"),
    CoreInput("activation_bytes", "byte", True, "bytes per activation value"),
    CoreInput("memory_overhead", D, True, "GPU memory overhead"),
    CoreInput("kv_coefficient", D, True, "KV-cache size coefficient"),
    CoreInput("kv_exponent", D, True, "KV-cache size exponent"),
    CoreInput("kv_bytes_per_token", "byte/token", True, "KV cache per token", optional=True),
    CoreInput("flop_utilisation", D, False, "FLOP utilisation", optional=True),
    CoreInput("power_per_gpu", "W", True, "power per GPU", optional=True),
    CoreInput("measured_energy_per_token", "J/token", True, "measured energy per token", optional=True),
    CoreInput("flops_per_item", "FLOP", True, "FLOPs per item", optional=True),
    CoreInput("energy_per_item", "J", True, "measured energy per item", optional=True),
    CoreInput("serving_path", D, True, "serving path (code)"),
    CoreInput("training_gpu_time", "s", True, "training GPU time", optional=True),
    CoreInput("training_gpu_power", "W", True, "training GPU power"),
    CoreInput("training_pue", D, True, "training PUE"),
    CoreInput("training_grid_intensity", "kg/J", True, "training grid carbon intensity"),
    CoreInput("training_grid_adpe", "kg/J", True, "training grid abiotic depletion (ADPe, Sb eq)"),
    CoreInput("training_grid_primary_energy", D, True, "training grid primary energy per unit of electricity"),
    CoreInput("training_tokens", "token", True, "training tokens", optional=True),
    CoreInput("training_mfu", D, False, "training FLOP utilisation"),
    CoreInput("training_wue", "L/J", True, "training site water use (WUE)"),
    CoreInput("training_water_intensity", "L/J", True, "water intensity of the training site's electricity"),
    CoreInput("training_peak_flops", "FLOP/s", False, "training GPU peak FLOP/s"),
    CoreInput("amortisation_requests", "request", False, "requests sharing the training", optional=True),
)

#: Every core input by name.
CORE = {i.name: i for i in _CORE}


def label(name: str, style: str = "neutral") -> str:
    """How a user sees the input `name`: ``cli`` (a flag), ``toml`` (a key), ``column``, ``neutral``.

    >>> label("output_tokens", "column")
    'column output_tokens'
    """
    if style == "cli":
        return "--" + name.replace("_", "-")
    if style == "column":
        return f"column {name}"
    return name


def people_label(name: str) -> str:
    """A label for people (plots, tables) of a core or user input.

    >>> people_label("pue")
    'data-centre PUE'
    """
    if name in CORE:
        return CORE[name].label
    return name.replace("_", " ")


def default_text(spec: UserInput) -> str:
    """The default of `spec` as shown in help texts, read from the factor tables (on demand).

    >>> default_text(USER["batch_size"])
    '32, range 8..128'
    """
    from . import factors

    if spec.default is None:
        return ""
    row = factors.get(*spec.default)
    if row is None:
        return "none"
    text = f"{row.value:g}"
    if row.low is not None or row.high is not None:
        low = row.value if row.low is None else row.low
        high = row.value if row.high is None else row.high
        text += f", range {low:g}..{high:g}"
    unit = "" if row.unit in ("dimensionless", "", "token") else f" {row.unit}"
    return text + unit


def help_text(spec: UserInput) -> str:
    """The help line of `spec` with its default from the factor tables."""
    if "{default}" not in spec.help:
        return spec.help
    return spec.help.replace("{default}", default_text(spec))
