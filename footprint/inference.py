"""Inference of a language model on accelerators: time, GPU count and power.

Small pure functions on magnitudes in SI units (the unit of every argument is in
its docstring, in brackets).  They accept floats or numpy arrays of any shape and
broadcast.  :mod:`footprint.estimate` converts Quantities to these magnitudes
once and assembles the result.

The model (docs/methodology.md):

* prefill is compute-bound: ``t = 2 N_active L_in / (n F eta_p)``, with its own
  efficiency ``eta_p`` (large matrix products over the whole prompt run nearer the peak
  than the thin products of decode);
* a decode step serves the whole batch ``B``; it lasts the larger of the memory
  time (weights read once per step plus every sequence's KV cache) and the
  compute time ``2 N_active B / (n F eta_c)``; a request's share of the
  instance's time is ``L_out t_step / B``;
* a step also carries a serving overhead per sequence (scheduling, sampling),
  ``B x step_overhead``, a constant of the serving software's generation;
* an instance larger than a node runs as a pipeline of ``s = ceil(n / node)`` stages
  (tensor parallel inside a node, pipeline parallel across nodes): each stage reads its
  weights once per micro-batch of ``B / s`` sequences, and the activations of the batch
  cross the ``s - 1`` node boundaries over the node interconnect;
* a GPU draws ``P_idle + u (TDP - P_idle)`` while serving, where ``u`` goes from
  ``u_memory`` (memory-bound step) to ``u_compute`` (compute-bound step).

References
----------
.. [1] Kaplan, J. et al. (2020). Scaling Laws for Neural Language Models.
   arXiv:2001.08361 (2 N FLOPs per token in the forward pass).
.. [2] Pope, R. et al. (2023). Efficiently Scaling Transformer Inference.
   MLSys 2023, arXiv:2211.05102 (memory- vs compute-bound decoding).
"""

from __future__ import annotations

import numpy as np

#: Bytes per parameter of each weight precision (by definition of the formats).
PRECISION_BYTES = {
    "fp32": 4.0, "tf32": 4.0, "bf16": 2.0, "fp16": 2.0, "float16": 2.0, "bfloat16": 2.0,
    "fp8": 1.0, "int8": 1.0, "fp4": 0.5, "int4": 0.5, "mxfp4": 0.5,
}

#: Which peak-FLOP/s figure of a GPU profile applies to each precision.
PRECISION_FLOPS_KEY = {
    "fp32": "peak_flops_bf16", "tf32": "peak_flops_bf16", "bf16": "peak_flops_bf16", "fp16": "peak_flops_bf16",
    "float16": "peak_flops_bf16", "bfloat16": "peak_flops_bf16", "fp8": "peak_flops_fp8", "int8": "peak_flops_fp8",
    "fp4": "peak_flops_fp8", "int4": "peak_flops_fp8", "mxfp4": "peak_flops_fp8",
}


def forward_flops(active_params, tokens):
    """FLOPs of a forward pass over `tokens` tokens [FLOP].

    Parameters
    ----------
    active_params : numeric
        Parameters used per token (all of them for a dense model) [parameter].
    tokens : numeric
        Tokens processed [token].

    References
    ----------
    .. [1] Kaplan et al. (2020), arXiv:2001.08361, Table 1: C_forward ~ 2 N.
    """
    return 2.0 * active_params * tokens


def gpus_needed(total_params, bytes_per_param, gpu_memory, memory_overhead):
    """Smallest power-of-two GPU count whose memory holds the model [GPU].

    Parameters
    ----------
    total_params : numeric
        All parameters of the model (every expert of a MoE) [parameter].
    bytes_per_param : numeric
        Bytes per weight at the serving precision [byte].
    gpu_memory : numeric
        Memory of one GPU [byte].
    memory_overhead : numeric
        Memory needed per byte of weights, for activations and KV cache [-].

    Notes
    -----
    Tensor-parallel degrees are powers of two in practice (vLLM, TensorRT-LLM),
    hence the rounding up to 1, 2, 4, 8, 16...
    """
    need = np.asarray(total_params * bytes_per_param * memory_overhead / gpu_memory, dtype=float)
    return np.exp2(np.ceil(np.log2(np.maximum(need, 1.0))))


def prefill_time(active_params, input_tokens, n_gpus, peak_flops, eta_prefill):
    """Time the instance spends on one request's prompt [s].

    Parameters
    ----------
    active_params : numeric [parameter]
    input_tokens : numeric
        Prompt tokens of the request [token].
    n_gpus : numeric
        GPUs of the serving instance [GPU].
    peak_flops : numeric
        Peak dense FLOP/s of one GPU at the serving precision [FLOP/s].
    eta_prefill : numeric
        Achieved fraction of the peak in prefill [-].

    Examples
    --------
    70B parameters, 1,000 prompt tokens, 4 GPUs of 989 TFLOP/s at 40 %:

    >>> round(prefill_time(70e9, 1000, 4, 989e12, 0.4), 4)
    0.0885
    """
    return forward_flops(active_params, input_tokens) / (n_gpus * peak_flops * eta_prefill)


def pipeline_stages(n_gpus, gpus_per_node):
    """Pipeline stages of an instance: one per node it spans [-].

    Tensor parallelism needs the all-reduces of every layer, which only a node's
    NVLink domain carries at speed; across nodes the layers are split into a
    pipeline (vLLM's documented layout, VLLM-DISTRIBUTED: tensor parallel = GPUs per node, pipeline
    parallel = nodes; ML.ENERGY's 16-GPU runs use TP 8 x PP 2).

    >>> [float(pipeline_stages(n, 8)) for n in (16, 8, 1)]
    [2.0, 1.0, 1.0]
    """
    return np.maximum(np.ceil(np.asarray(n_gpus, dtype=float) / gpus_per_node - 1e-9), 1.0)


def hidden_size(active_params, layers_per_width):
    """Width of the residual stream ``d`` of a transformer from its (active) size [-].

    ``N = 12 L d^2`` per layer stack (Kaplan et al. 2020) with depth ``L = r d``
    gives ``d = (N / (12 r))^(1/3)``; ``r`` from published shapes (Llama 3: 32 layers
    at d 4,096, 126 at 16,384).

    >>> round(float(hidden_size(405e9, 0.0077)))
    16365
    """
    return (np.asarray(active_params, dtype=float) / (12.0 * layers_per_width)) ** (1.0 / 3.0)


def internode_time(batch_size, stages, width, activation_bytes, link_bandwidth):
    """Time per decode step to pass the batch's activations between pipeline stages [s].

    Each of the ``s - 1`` node boundaries carries one activation vector per sequence
    (``d`` values of ``activation_bytes``) per step, over one GPU's link to the next
    node; the transfers are counted in series with the step (no overlap assumed).

    Parameters
    ----------
    batch_size : numeric [request]
    stages : numeric
        Pipeline stages (:func:`pipeline_stages`) [-].
    width : numeric
        Residual-stream width ``d`` (:func:`hidden_size`) [-].
    activation_bytes : numeric
        Bytes per activation value (2: bf16) [byte].
    link_bandwidth : numeric
        Node-interconnect bandwidth per GPU [byte/s].

    Examples
    --------
    405B dense on two nodes, batch 128, d 16,384, 50 GB/s (400 Gb/s InfiniBand):

    >>> round(internode_time(128, 2, 16384, 2, 50e9) * 1e6, 1)
    83.9
    """
    return (stages - 1.0) * batch_size * width * activation_bytes / link_bandwidth


def bytes_read_per_step(total_params, active_params, bytes_per_param, batch_size):
    """Weight bytes read from memory by one decode step of a batch [byte].

    Parameters
    ----------
    total_params, active_params : numeric [parameter]
    bytes_per_param : numeric [byte]
    batch_size : numeric
        Tokens decoded in the step [request].

    Notes
    -----
    The first token of the step reads the active weights ``N_active``.  For a
    mixture of experts, each other token uses a given expert weight with a
    probability ``a = N_active / N_total`` (experts drawn independently), so the
    expected share of the remaining ``N_total - N_active`` weights that the step
    touches is ``1 - (1 - a)^(B - 1)``.  A dense model (a = 1) reads its weights
    once at any batch size; a MoE reads ``N_active`` at batch 1 and tends to
    ``N_total`` for large batches.
    """
    if np.all(np.asarray(active_params) >= np.asarray(total_params)):  # dense only: no expert term
        return bytes_per_param * total_params
    share = np.clip(active_params / total_params, 0.0, 1.0)
    touched = 1.0 - (1.0 - share) ** np.maximum(batch_size - 1.0, 0.0)
    return bytes_per_param * (active_params + (total_params - active_params) * touched)


def decode_step_times(total_params, active_params, bytes_per_param, kv_bytes_per_sequence, batch_size,
                      n_gpus, peak_flops, memory_bandwidth, eta_compute, eta_memory, stages=1.0):
    """Memory time and compute time of one decode step of the batch [s], [s].

    Parameters
    ----------
    total_params, active_params : numeric [parameter]
    bytes_per_param : numeric [byte]
    kv_bytes_per_sequence : numeric
        KV cache read per sequence per step [byte].
    batch_size : numeric
        Sequences decoded together [request].
    n_gpus : numeric [GPU]
    peak_flops : numeric [FLOP/s]
    memory_bandwidth : numeric
        Memory bandwidth of one GPU [byte/s].
    eta_compute, eta_memory : numeric
        Achieved fractions of peak compute and of peak bandwidth [-].
    stages : numeric
        Pipeline stages (:func:`pipeline_stages`): each reads its share of the weights
        once per micro-batch of ``B / stages`` sequences, so a step of the whole batch
        reads the weights ``stages`` times [-].

    Returns
    -------
    t_memory, t_compute : numeric [s]
        The step lasts ``max(t_memory, t_compute)``.

    Examples
    --------
    A dense 8B model in bf16 on one H100 (3.35 TB/s, 989 TFLOP/s) at batch 64, 1 MB of
    KV cache per sequence, efficiencies 0.5: memory (16 GB + 64 MB) / 1.675 TB/s, compute
    2 x 8e9 x 64 / 494.5 TFLOP/s:

    >>> tm, tc = decode_step_times(8e9, 8e9, 2, 1e6, 64, 1, 989e12, 3.35e12, 0.5, 0.5)
    >>> round(tm * 1e3, 3), round(tc * 1e3, 3)
    (9.59, 2.071)
    """
    moved = stages * bytes_read_per_step(total_params, active_params, bytes_per_param, batch_size / stages)
    t_memory = (moved + batch_size * kv_bytes_per_sequence) / (n_gpus * memory_bandwidth * eta_memory)
    t_compute = forward_flops(active_params, batch_size) / (n_gpus * peak_flops * eta_compute)
    return t_memory, t_compute


def gpu_power(idle_power, tdp, utilisation):
    """Power drawn by one GPU at a power utilisation ``u`` [W].

    ``P = P_idle + u (TDP - P_idle)``, ``u`` in [0, 1].
    """
    return idle_power + utilisation * (tdp - idle_power)


def power_utilisation(compute_share, u_memory, u_compute):
    """Power utilisation of a decode step between its memory- and compute-bound values [-].

    Parameters
    ----------
    compute_share : numeric
        Share of the step spent on arithmetic, ``t_compute / t_step`` [-].
    u_memory, u_compute : numeric
        Calibrated power utilisations of a memory-bound and a compute-bound step [-].

    Returns
    -------
    numeric
        ``u = u_memory + c (u_compute - u_memory)`` [-].
    """
    return u_memory + compute_share * (u_compute - u_memory)


def decode_step_time(t_memory, t_compute, batch_size, step_overhead):
    """Duration of one decode step of the batch [s].

    ``max(t_memory, t_compute) + B x step_overhead``: the GPU work, plus a serving
    overhead per sequence and step (scheduling, sampling, detokenisation,
    kernel launches) that ML.ENERGY's runs show to be roughly independent of the
    model size (docs/methodology.md, Calibration).

    Parameters
    ----------
    t_memory, t_compute : numeric [s]
    batch_size : numeric [request]
    step_overhead : numeric
        Serving time per sequence per step [s].
    """
    return np.maximum(t_memory, t_compute) + batch_size * step_overhead


def kv_bytes_per_token(total_params, bytes_per_param, coefficient, exponent):
    """KV cache per token of context, from the model size when the architecture is not given [byte].

    ``kv = bytes_per_param * coefficient * (N_total / 1e9) ** exponent`` — a power law
    fitted on published architectures (factors/constants.csv, docs/methodology.md).
    """
    return bytes_per_param * coefficient * (total_params / 1e9) ** exponent


def effective_batch(request_rate, latency, max_batch):
    """Concurrent requests of a dedicated endpoint by Little's law, within [1, max_batch] [request].

    Parameters
    ----------
    request_rate : numeric
        Requests arriving per second [request/s].
    latency : numeric
        Time a request stays in the server [s].
    max_batch : numeric
        Configured maximum batch size [request].
    """
    return np.clip(request_rate * latency, 1.0, max_batch)


def allocated_time(busy_time, utilisation):
    """Instance time charged to a request, its busy time plus its share of idle time [s].

    ``busy_time / utilisation``: a fleet (or endpoint) busy a share ``utilisation``
    of the time carries ``(1 - utilisation) / utilisation`` seconds of idle time
    for each busy second.
    """
    return busy_time / utilisation


def dedicated_replicas(request_rate, busy_time_full_batch):
    """Replicas a dedicated endpoint needs to keep up when it batches fully [-].

    ``max(1, ceil(rate x busy_time))`` with the busy time per request at the
    configured maximum batch: the fewest instances whose capacity covers the
    traffic.  Below that capacity, requests queue and batch together instead of
    calling for another replica.

    Parameters
    ----------
    request_rate : numeric [request/s]
    busy_time_full_batch : numeric
        Instance time per request at the maximum batch [s].
    """
    return np.maximum(np.ceil(request_rate * busy_time_full_batch), 1.0)


def dedicated_utilisation(request_rate, busy_time, replicas=1.0):
    """Busy share of a dedicated endpoint serving `request_rate` requests/s [-].

    Parameters
    ----------
    request_rate : numeric [request/s]
    busy_time : numeric
        Instance time per request at the batch actually reached [s].
    replicas : numeric
        Replicas provisioned (:func:`dedicated_replicas`), enough to keep up at
        full batching.

    Returns
    -------
    numeric
        ``min(1, rate x busy_time / replicas)``: a replica with requests queued
        batches them and stays busy, it does not call for another replica.
    """
    return np.minimum(request_rate * busy_time / replicas, 1.0)
