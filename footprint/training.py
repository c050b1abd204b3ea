"""Training footprint of a model and its amortisation over inference.

Pure functions on magnitudes in SI units (brackets give each unit).

References
----------
.. [1] Kaplan, J. et al. (2020). Scaling Laws for Neural Language Models.
   arXiv:2001.08361 (training compute C ~ 6 N D).
.. [2] Patterson, D. et al. (2021). Carbon Emissions and Large Neural Network
   Training. arXiv:2104.10350 (energy = GPU-hours x power x PUE).
.. [3] Luccioni, A. S., Viguier, S., Ligozat, A.-L. (2023). Estimating the Carbon
   Footprint of BLOOM. JMLR 24(253), arXiv:2211.02001.
"""

from __future__ import annotations


def training_flops(params, tokens):
    """Training compute of a transformer, ``6 N D`` [FLOP].

    Parameters
    ----------
    params : numeric
        Parameters updated per token (active parameters of a MoE) [parameter].
    tokens : numeric
        Training tokens [token].
    """
    return 6.0 * params * tokens


def gpu_time_from_flops(flops, peak_flops, model_flop_utilisation):
    """GPU time needed for `flops` at a model FLOP utilisation [s].

    Parameters
    ----------
    flops : numeric [FLOP]
    peak_flops : numeric
        Peak dense FLOP/s of one GPU [FLOP/s].
    model_flop_utilisation : numeric
        Achieved share of the peak over the run (MFU) [-].
    """
    return flops / (peak_flops * model_flop_utilisation)


def training_energy(gpu_time, gpu_power, pue):
    """Facility energy of a training run, ``GPU-time x power x PUE`` [J].

    Parameters
    ----------
    gpu_time : numeric
        GPU time summed over all GPUs (GPU-hours in seconds) [s].
    gpu_power : numeric
        Average power per GPU, host share included when known [W].
    pue : numeric
        Power usage effectiveness of the training site [-].
    """
    return gpu_time * gpu_power * pue


def training_water(energy, wue, water_intensity):
    """Water consumed by a training run: on-site cooling plus the water of its electricity [L].

    Parameters
    ----------
    energy : numeric
        Energy of the run [J].
    wue : numeric
        On-site water per energy of the site [L/J].
    water_intensity : numeric
        Water consumed per energy generated (0 to count the site's water only) [L/J].

    >>> round(training_water(3.6e6, 1.15 / 3.6e6, 3.13 / 3.6e6), 2)  # 1 kWh, Google's WUE, the US grid's water
    4.28
    """
    return energy * (wue + water_intensity)
