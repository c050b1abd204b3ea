"""Calibrate the frontier_api deployment profile on Google's measured energy split of a Gemini prompt.

Elsworth et al. (2025, arXiv:2508.15734) measured the energy of the median Gemini Apps text
prompt on a comprehensive boundary and split it into active AI accelerators 58 %, host CPU and
DRAM of the active machines 25 %, idle provisioned machines 10 % and data-centre overhead 8 %.
Two constants of ``factors/deployments.csv`` are fitted on these *shares* (not on the 0.24 Wh
or the 0.10 Wh, which are two different boundaries):

* ``host_power_ratio`` (host power per GPU / GPU TDP): host energy while serving over
  accelerator energy = 25 / 58 at the accelerator power the model gives for the request;
* ``fleet_utilisation``: the busy share at which the idle machines, drawing their physical
  idle power (GPU idle power of ``factors/gpus.csv`` + the host's idle power, neither fitted),
  take 10 / 58 of the accelerator energy.

Batch per GPU, precision and PUE come from their own sources (DeepSeek's serving statistics,
Google's fleet PUE), so Epoch AI's GPT-4o cases, the BLOOM deployment and the per-query totals
stay independent checks (``benchmarks/accuracy.py``).  The reference request is a frontier
model of the catalogue at the default chat lengths (``REFERENCE``).

Run: ``python benchmarks/calibrate_deployments.py`` (prints the fitted values and the shares).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Google's measured shares of the median Gemini prompt (Elsworth et al. 2025, Figure/Table of the breakdown).
GOOGLE_SHARES = {"accelerator": 0.58, "host": 0.25, "idle": 0.10, "overhead": 0.08}
#: The request the profile is fitted on: a Gemini model of the catalogue, default chat lengths, frontier profile.
REFERENCE = {"model": "gemini-2.5-flash", "deployment": "frontier_api"}


def central(e, key):
    import numpy as np

    return float(np.asarray(e.raw[key])[..., 1])


def shares(e) -> dict:
    """Accelerator / host (serving) / idle machines / overhead shares of an estimate's facility energy [-]."""
    gpu = central(e, "energy.gpu_busy")
    host_idle = central(e, "host_idle_energy")
    host = central(e, "energy.host") - host_idle
    idle = central(e, "energy.gpu_idle") + host_idle
    overhead = central(e, "energy.pue_overhead")
    total = gpu + host + idle + overhead
    return {"accelerator": gpu / total, "host": host / total, "idle": idle / total, "overhead": overhead / total,
            "energy_wh": total / 3600.0}


def fit(reference=None) -> dict:
    """host_power_ratio and fleet_utilisation of the frontier profile from Google's shares."""
    from footprint import estimate

    reference = dict(reference or REFERENCE)
    e = estimate(**reference, fleet_utilisation=1.0)
    n, busy = central(e, "n_gpus"), central(e, "busy_time")
    tdp = float(e.inputs["tdp"][..., 1].ravel()[0])
    idle_gpu = float(e.inputs["idle_power"][..., 1].ravel()[0])
    gpu_energy = central(e, "energy.gpu_busy")
    gpu_power = gpu_energy / (n * busy)
    ratio = GOOGLE_SHARES["host"] / GOOGLE_SHARES["accelerator"] * gpu_power / tdp
    from footprint import factors

    host_idle_ratio = factors.get("deployments", "frontier_api", "host_idle_ratio").value
    idle_power = idle_gpu + host_idle_ratio * ratio * tdp
    # (1 - U) / U x busy x n x idle_power = idle / accelerator x gpu energy
    idle_per_busy = GOOGLE_SHARES["idle"] / GOOGLE_SHARES["accelerator"] * gpu_energy / (n * busy * idle_power)
    utilisation = 1.0 / (1.0 + idle_per_busy)
    return {"host_power_ratio": ratio, "fleet_utilisation": utilisation, "gpu_power_w": gpu_power,
            "idle_power_w": idle_power, "n_gpus": n}


def main() -> None:
    from footprint import estimate

    f = fit()
    print(f"accelerator power while serving {f['gpu_power_w']:.0f} W per GPU on {f['n_gpus']:.0f} GPUs; "
          f"idle machine power {f['idle_power_w']:.0f} W per GPU")
    print(f"host_power_ratio  {f['host_power_ratio']:.3f}")
    print(f"fleet_utilisation {f['fleet_utilisation']:.3f}")
    s = shares(estimate(**REFERENCE))
    print("shares with the shipped table: " + ", ".join(f"{k} {100 * v:.1f} %" for k, v in s.items()
                                                        if k != "energy_wh")
          + f"; energy {s['energy_wh']:.3f} Wh")
    print("Google (Elsworth et al. 2025): " + ", ".join(f"{k} {100 * v:.0f} %" for k, v in GOOGLE_SHARES.items()))


if __name__ == "__main__":
    main()
