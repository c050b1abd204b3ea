"""The one unit registry of footprint, and parsing of user quantities.

Every quantity the library takes or returns is a :class:`pint.Quantity` of
``ureg``.  Counting units (``token``, ``request``, ``task``, ``item``, ``FLOP``,
``parameter``) are dimensionless scale-1 units: they make outputs readable
("Wh/request") without forcing users to type them ("10000/day" is accepted for a
request rate).  CO2e masses (``gCO2e``, ``kgCO2e``, ``tCO2e``) are masses, so a
grid intensity may be typed "50 g/kWh" or "50 gCO2e/kWh".
"""

from __future__ import annotations

from pathlib import Path

from ._pint import pint


#: Our own definitions file: a small registry builds ~15x faster than pint's default one.
_DEFINITIONS = Path(__file__).with_name("units.txt")

ureg = pint.UnitRegistry(None, autoconvert_offset_to_baseunit=True)
ureg.load_definitions(str(_DEFINITIONS))
pint.set_application_registry(ureg)


def _cache_unit_parsing(registry) -> None:
    """Parse each unit text once per process: pint parses ``q.to("kg/J")``'s text again at every call.

    A text's units container does not change (the registry is complete at import), so
    the parse is memoised; it was about a third of a ``compare``.
    """
    import functools

    parse = registry.parse_units_as_container

    @functools.lru_cache(maxsize=4096)
    def parse_cached(input_string, as_delta=None, case_sensitive=None):
        return parse(input_string, as_delta, case_sensitive)

    registry.parse_units_as_container = parse_cached


_cache_unit_parsing(ureg)
Q_ = ureg.Quantity
Quantity = ureg.Quantity

#: The units the model computes in, by metric (every figure is converted from these once, for output).
INTERNAL_UNITS = {"energy": "J", "co2e": "kg", "water": "L", "adpe": "kg", "primary_energy": "J"}

#: Kinds of quantity the library asks for, used to word error messages.
_KINDS = (
    ("W", "a power (an energy per time), e.g. '350 W' or '10 MWh/year'"),
    ("J", "an energy, e.g. '0.3 Wh'"),
    ("s", "a duration, e.g. '1 year'"),
    ("1/s", "a rate per time, e.g. '10000/day'"),
    ("kg", "a CO2e mass, e.g. '5 kgCO2e'"),
    ("kg/s", "a CO2e per time, e.g. '1 tCO2e/year'"),
    ("g/kWh", "a carbon intensity, e.g. '50 g/kWh'"),
    ("L/kWh", "a water intensity, e.g. '1.8 L/kWh'"),
    ("L", "a water volume, e.g. '2 L'"),
    ("", "a plain number, e.g. '1.2'"),
)


def describe_dimension(unit: str) -> str:
    """Say in words what kind of quantity `unit` is (for error messages)."""
    dim = ureg.Quantity(1, unit).dimensionality
    for ref, words in _KINDS:
        if ureg.Quantity(1, ref).dimensionality == dim:
            return words
    return f"a quantity in {unit}"
