"""Embodied (manufacturing) emissions of the serving hardware, allocated by time.

References
----------
.. [1] Luccioni, A. S., Viguier, S., Ligozat, A.-L. (2023). Estimating the Carbon
   Footprint of BLOOM. JMLR 24(253) (embodied share of a training run).
.. [2] ISO/IEC 21031:2024 Software Carbon Intensity (SCI): M = TE x TS x RS,
   time share x resource share of the total embodied emissions.
"""

from __future__ import annotations


def embodied_rate(n_gpus, gpu_embodied, server_embodied_per_gpu, lifetime):
    """Embodied emissions of an instance per second of its lifetime [kgCO2e/s].

    Parameters
    ----------
    n_gpus : numeric [GPU]
    gpu_embodied : numeric
        Manufacture of one GPU board [kgCO2e].
    server_embodied_per_gpu : numeric
        Manufacture of the server without GPUs, per GPU slot [kgCO2e].
    lifetime : numeric
        Service life of the hardware [s].
    """
    return n_gpus * (gpu_embodied + server_embodied_per_gpu) / lifetime


def embodied_share(rate, allocated_time):
    """Embodied emissions charged to a use of `allocated_time` seconds [kgCO2e].

    The time share of SCI's ``M = TE x TS x RS`` with the instance as the resource.
    """
    return rate * allocated_time
