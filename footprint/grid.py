"""Carbon and water of electricity, and the SCI score.

References
----------
.. [1] Li, P., Yang, J., Islam, M. A., Ren, S. (2023). Making AI Less "Thirsty".
   arXiv:2304.03271 (on-site WUE x IT energy + off-site water intensity x facility energy).
.. [2] ISO/IEC 21031:2024 Software Carbon Intensity: SCI = (E x I + M) per R.
"""

from __future__ import annotations


def facility_energy(it_energy, pue):
    """Energy drawn by the data centre for `it_energy` of IT load [J]."""
    return it_energy * pue


def operational_co2e(energy, grid_intensity):
    """Emissions of electricity use, ``E x I`` [kgCO2e].

    Parameters
    ----------
    energy : numeric [J]
    grid_intensity : numeric
        Carbon intensity of the electricity [kgCO2e/J].
    """
    return energy * grid_intensity


def water_consumption(it_energy, facility_energy_, wue, water_intensity):
    """Water consumed for a use: on-site cooling plus electricity generation [L].

    Parameters
    ----------
    it_energy : numeric [J]
    facility_energy_ : numeric [J]
    wue : numeric
        On-site water usage effectiveness, water per IT energy [L/J].
    water_intensity : numeric
        Water consumed to generate the electricity [L/J].
    """
    return it_energy * wue + facility_energy_ * water_intensity


def sci(energy, grid_intensity, embodied):
    """Software Carbon Intensity of one functional unit, ``E x I + M`` [kgCO2e].

    Parameters
    ----------
    energy : numeric [J]
    grid_intensity : numeric [kgCO2e/J]
    embodied : numeric [kgCO2e]
    """
    return energy * grid_intensity + embodied
