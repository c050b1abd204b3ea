"""Each function of the inference model against a hand-computed case."""

import numpy as np
import pytest

from footprint import embodied, grid, inference, training


def test_forward_flops():
    # 2 N per token (Kaplan et al. 2020): 2 x 70e9 x 500
    assert inference.forward_flops(70e9, 500) == 7e13


@pytest.mark.parametrize("params, memory_gb, expected", [(8e9, 80, 1), (70e9, 80, 4), (70e9, 141, 2), (405e9, 80, 16),
                                                         (176e9, 40, 16)])
def test_gpus_needed_is_next_power_of_two(params, memory_gb, expected):
    # weights x 1.2 overhead / memory: 70B bf16 -> 168 GB -> 2.1 H100 -> 4
    assert inference.gpus_needed(params, 2.0, memory_gb * 1e9, 1.2) == expected


def test_prefill_time():
    # 2 x 8e9 x 1000 / (1 x 989e12 x 0.5) = 0.032356 s
    assert inference.prefill_time(8e9, 1000, 1, 989e12, 0.5) == pytest.approx(0.0323559, rel=1e-5)


def test_decode_step_dense_is_memory_bound_at_batch_1():
    t_mem, t_cmp = inference.decode_step_times(8e9, 8e9, 2.0, 0.0, 1.0, 1, 989e12, 3.35e12, 0.5, 0.6)
    assert t_mem == pytest.approx(16e9 / (3.35e12 * 0.6))      # 7.96 ms
    assert t_cmp == pytest.approx(2 * 8e9 / (989e12 * 0.5))     # 32.4 us
    # at batch 512 the compute time passes the memory time
    t_mem, t_cmp = inference.decode_step_times(8e9, 8e9, 2.0, 0.0, 512.0, 1, 989e12, 3.35e12, 0.5, 0.6)
    assert t_cmp > t_mem


def test_kv_cache_adds_memory_time_per_sequence():
    base, _ = inference.decode_step_times(8e9, 8e9, 2.0, 0.0, 10.0, 1, 989e12, 3.35e12, 0.5, 0.6)
    with_kv, _ = inference.decode_step_times(8e9, 8e9, 2.0, 1e8, 10.0, 1, 989e12, 3.35e12, 0.5, 0.6)
    assert with_kv - base == pytest.approx(10 * 1e8 / (3.35e12 * 0.6))


def test_moe_reads_active_weights_at_batch_1_and_all_at_large_batch():
    # Mixtral 8x7B: 46.7B total, 12.9B active
    assert inference.bytes_read_per_step(46.7e9, 12.9e9, 2.0, 1.0) == pytest.approx(2 * 12.9e9)
    assert inference.bytes_read_per_step(46.7e9, 12.9e9, 2.0, 1000.0) == pytest.approx(2 * 46.7e9, rel=1e-6)
    # batch 2: active + (total - active) x a, a = 12.9/46.7
    a = 12.9 / 46.7
    assert inference.bytes_read_per_step(46.7e9, 12.9e9, 2.0, 2.0) == pytest.approx(2 * (12.9e9 + 33.8e9 * a))
    # dense: always the whole model
    assert inference.bytes_read_per_step(7e9, 7e9, 2.0, 64.0) == pytest.approx(14e9)


def test_gpu_power_and_utilisation():
    assert inference.gpu_power(70.0, 700.0, 0.5) == 385.0
    # compute share 1/4 -> u = 0.5 + 0.25 x (0.9 - 0.5)
    assert inference.power_utilisation(0.25, 0.5, 0.9) == pytest.approx(0.6)
    # step: max(4 ms, 1 ms) + 32 sequences x 0.1 ms
    assert inference.decode_step_time(4e-3, 1e-3, 32, 1e-4) == pytest.approx(7.2e-3)


def test_kv_bytes_per_token_power_law():
    # c (N/1e9)^e x bytes: 68800 x 8^0.196 x 2
    assert inference.kv_bytes_per_token(8e9, 2.0, 68800, 0.196) == pytest.approx(2 * 68800 * 8 ** 0.196)


def test_effective_batch_and_dedicated_utilisation():
    np.testing.assert_allclose(inference.effective_batch(np.array([0.01, 1.0, 10.0]), 10.0, 32), [1.0, 10.0, 32.0])
    # 0.5 req/s x 1 s busy on one replica -> 50 %; 2.5 req/s on 3 replicas -> 2.5/3; overload caps at 1
    np.testing.assert_allclose(inference.dedicated_utilisation(np.array([0.5, 2.5, 3.0]), 1.0, np.array([1, 3, 2])),
                               [0.5, 2.5 / 3, 1.0])
    assert inference.allocated_time(2.0, 0.5) == 4.0


def test_training_functions():
    # GPT-3: 6 x 175e9 x 300e9 = 3.15e23 FLOP (Brown et al. 2020 report 3.14e23)
    assert training.training_flops(175e9, 300e9) == pytest.approx(3.15e23)
    assert training.gpu_time_from_flops(1e18, 1e15, 0.5) == 2000.0
    assert training.training_energy(3600.0, 400.0, 1.1) == pytest.approx(1.584e6)


def test_embodied_and_grid():
    # 8 GPUs x (164 + 712.5) kg over 3 years, charged 1 hour
    rate = embodied.embodied_rate(8, 164.0, 712.5, 3 * 365.25 * 86400)
    assert embodied.embodied_share(rate, 3600.0) == pytest.approx(8 * 876.5 / (3 * 365.25 * 24))
    assert grid.facility_energy(100.0, 1.5) == 150.0
    assert grid.operational_co2e(3.6e6, 50e-3 / 3.6e6) == pytest.approx(0.05)  # 1 kWh at 50 g/kWh
    assert grid.water_consumption(10.0, 15.0, 0.1, 2.0) == pytest.approx(31.0)
    assert grid.sci(2.0, 0.5, 0.25) == 1.25


def test_prefill_and_decode_step_hand_computed():
    # Llama-3.1-70B-like, bf16, 4 x H100 (989 TFLOP/s, 3.35 TB/s), batch 64, 1,000 prompt tokens, KV cache
    # 0.5 MB per sequence; eta_prefill 0.37, eta_compute 0.37, eta_memory 0.467, step overhead 0.0555 ms (vllm_2025)
    t_pre = inference.prefill_time(70e9, 1000, 4, 989e12, 0.37)
    assert t_pre == pytest.approx(2 * 70e9 * 1000 / (4 * 989e12 * 0.37))  # 95.6 ms
    assert t_pre == pytest.approx(0.09565, rel=1e-3)
    tm, tc = inference.decode_step_times(70e9, 70e9, 2, 0.5e6, 64, 4, 989e12, 3.35e12, 0.37, 0.467)
    assert tm == pytest.approx((140e9 + 64 * 0.5e6) / (4 * 3.35e12 * 0.467))  # 22.38 ms: memory-bound
    assert tc == pytest.approx(2 * 70e9 * 64 / (4 * 989e12 * 0.37))  # 6.12 ms
    step = inference.decode_step_time(tm, tc, 64, 0.0555e-3)
    assert step == pytest.approx(0.022380 + 64 * 0.0555e-3, rel=1e-3)  # 25.93 ms
    # a request of 500 output tokens: its share of the decode time is 500 steps / 64 sequences
    assert 500 * step / 64 == pytest.approx(0.2026, rel=1e-3)


def test_pipeline_across_nodes_rereads_weights_per_micro_batch():
    # 405B bf16 on 16 H100 = 2 nodes of 8: a step of batch 128 reads the weights twice (micro-batches of 64)
    s = inference.pipeline_stages(16, 8)
    assert s == 2
    tm1, _ = inference.decode_step_times(405e9, 405e9, 2, 0.0, 128, 16, 989e12, 3.35e12, 0.37, 0.467, 1.0)
    tm2, _ = inference.decode_step_times(405e9, 405e9, 2, 0.0, 128, 16, 989e12, 3.35e12, 0.37, 0.467, s)
    assert tm2 == pytest.approx(2 * tm1)
    assert tm1 == pytest.approx(810e9 / (16 * 3.35e12 * 0.467))  # 32.4 ms
    # the activations passed between the two stages: 128 x 16,384 x 2 bytes over 50 GB/s = 84 us, tiny
    t_link = inference.internode_time(128, s, inference.hidden_size(405e9, 0.0077), 2, 50e9)
    assert t_link == pytest.approx(128 * 16365.4 * 2 / 50e9, rel=1e-4)
    assert inference.internode_time(128, 1.0, 16384, 2, 50e9) == 0
