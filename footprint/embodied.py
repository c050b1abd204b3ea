"""Embodied (manufacturing) emissions of the serving hardware, allocated by time.

References
----------
.. [1] Luccioni, A. S., Viguier, S., Ligozat, A.-L. (2023). Estimating the Carbon
   Footprint of BLOOM. JMLR 24(253) (embodied share of a training run).
.. [2] ISO/IEC 21031:2024 Software Carbon Intensity (SCI): M = TE x TS x RS,
   time share x resource share of the total embodied emissions.
"""

from __future__ import annotations

#: The reference of the scaling: NVIDIA's HGX H100 PCF, 164 kgCO2e per H100 SXM (GH100 die 814 mm2, 80 GB, 700 W).
REFERENCE = {"embodied": 164.0, "die_area": 814.0, "memory": 80.0, "tdp": 700.0}
#: Shares of the reference's embodied emissions scaled by die area, memory and TDP (board, power delivery,
#: heatsink); assumptions (docs/methodology.md, Embodied per GPU).
SHARES = {"die_area": 0.3, "memory": 0.4, "tdp": 0.3}


def scaled_embodied(die_area, memory, tdp):
    """Embodied emissions of an accelerator scaled from the H100's PCF [kgCO2e].

    ``164 x (0.3 x die/814 + 0.4 x memory/80 + 0.3 x TDP/700)``: the die share scales with the
    logic silicon, the memory share with the HBM/GDDR capacity, the board share (PCB, power
    delivery, heatsink) with the power the board is built to carry.

    Parameters
    ----------
    die_area : numeric
        Logic die area [mm2].
    memory : numeric
        Memory capacity [GB].
    tdp : numeric
        Board power [W].

    >>> round(scaled_embodied(814, 80, 700), 1)  # the H100 itself
    164.0
    >>> round(scaled_embodied(294.5, 24, 72), 1)  # an L4
    42.5
    """
    r, s = REFERENCE, SHARES
    return r["embodied"] * (s["die_area"] * die_area / r["die_area"] + s["memory"] * memory / r["memory"]
                            + s["tdp"] * tdp / r["tdp"])


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
