"""The unit registry and the parsing of user quantities."""

import pytest

from footprint.errors import InputError
from footprint.quantity import parse_count, parse_quantity
from footprint.units import ureg


@pytest.mark.parametrize("text, expected", [
    ("70B", 70e9), ("13b", 13e9), ("1.5T", 1.5e12), ("400M", 400e6), ("7e9", 7e9), ("70 billion", 70e9), (8, 8.0),
])
def test_parse_count(text, expected):
    assert parse_count(text, "--params").m_as("parameter") == pytest.approx(expected)


@pytest.mark.parametrize("text, unit, expected", [
    ("350 W", "W", 350.0), ("0.35 kW", "W", 350.0), ("1 year", "day", 365.25), ("10000/day", "1/hour", 10000 / 24),
    ("50 g/kWh", "gCO2e/kWh", 50.0), ("0.05 kgCO2e/kWh", "gCO2e/kWh", 50.0), ("1.2", "dimensionless", 1.2),
    ("1.8 L/kWh", "mL/Wh", 1.8), ("3.35 TB/s", "GB/s", 3350.0), ("989 TFLOP/s", "FLOP/s", 989e12),
])
def test_parse_quantity(text, unit, expected):
    assert parse_quantity(text, unit, "x").magnitude == pytest.approx(expected)


@pytest.mark.parametrize("text, unit, words", [
    ("5 kg", "W", "a power"), ("5 W", "dimensionless", "a plain number"), ("3 m", "1/s", "a rate per time"),
    ("2 h", "gCO2e/kWh", "a carbon intensity"),
])
def test_wrong_dimension_is_named(text, unit, words):
    with pytest.raises(InputError) as err:
        parse_quantity(text, unit, "--flag")
    msg = str(err.value)
    assert msg.startswith("--flag:") and words in msg and "\n" not in msg


def test_count_refuses_physical_unit():
    with pytest.raises(InputError, match="count"):
        parse_count("5 kg", "--params")


def test_unknown_unit_is_one_line():
    with pytest.raises(InputError) as err:
        parse_quantity("5 furlongs", "W", "--gpu-power")
    assert "\n" not in str(err.value)


def test_co2e_units_print_and_parse_back():
    q = ureg.Quantity(3.0, "gCO2e/kWh")
    text = f"{q.units:~P}"
    assert text == "gCO2e/kWh"
    assert ureg.Quantity(1, text).to("kg/J").magnitude == pytest.approx(1e-3 / 3.6e6)


def test_bare_number_refused_where_a_unit_matters():
    # "10000" as a request rate would silently mean 10000 per second
    with pytest.raises(InputError, match="has no unit"):
        parse_quantity("10000", "1/s", "--requests")
    assert parse_quantity("1.2", "dimensionless", "--pue").magnitude == 1.2
    # a Python number follows the same rule as a text: no unit guessed where one matters
    with pytest.raises(InputError, match="has no unit"):
        parse_quantity(350, "W", "host_power")
    assert parse_quantity(350, "W", "host_power", default_unit="W").magnitude == 350.0
