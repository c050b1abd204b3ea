"""The alternatives library: sourced rows, units, hand-computed lines, human-time boundaries."""

import pytest

from footprint import alternatives, factors
from footprint.errors import InputError
from footprint.uncertainty import triplet
from footprint.units import ureg

US_GRID = ureg.Quantity(383.55, "g/kWh").to("kg/J")  # factors/grid.csv USA (Ember 2024)
WATER = ureg.Quantity(3.0, "L/kWh").to("L/J")


def _central(ln):
    e, c, w, *_ = alternatives.line_values(ln, lambda x, unit, key=None: triplet(x, unit))
    return e[1], c[1], w[1]


def test_every_activity_row_is_sourced_and_valid():
    assert factors.validate() == []
    srcs = factors.sources()
    for row in factors.rows("alternatives"):
        assert row.source_id in srcs and srcs[row.source_id]["url_or_doi"], row
        assert row.status in factors.STATUSES


def test_required_activities_exist():
    need = {"laptop_hour", "desktop_hour", "office_hour_fr", "web_search", "web_search_network_dc", "printed_page",
            "email", "email_network_dc", "phone_call_minute", "car_km", "bus_km", "tram_km", "train_ter_km",
            "train_tgv_km", "video_call_hour", "per_capita_hour_us", "per_capita_hour_fr"}
    assert need <= set(alternatives.names())


def test_activity_units_come_from_factor_denominators():
    assert alternatives.activity("car_km").quantity_unit == "kilometer"
    assert alternatives.activity("laptop_hour").quantity_unit == "hour"
    assert alternatives.activity("phone_call_minute").quantity_unit == "minute"
    assert ureg.Quantity(1, alternatives.activity("email").quantity_unit).dimensionless


def test_laptop_hour_hand_computed():
    # 1 h on a laptop, US grid: 26.5 Wh; 26.5 Wh x 383.55 g/kWh + 23.0 g embodied
    ln = alternatives.line("laptop_hour", "1 h", grid_intensity=US_GRID, water_intensity=WATER)
    e, c, w = _central(ln)
    assert e == pytest.approx(ureg.Quantity(26.5, "Wh").m_as("J"))
    assert c * 1000 == pytest.approx(0.0265 * 383.55 + 23.0)
    assert w == pytest.approx(0.0265 * 3.0)


def test_device_plus_office_boundary_hand_computed():
    lines = alternatives.human_time_lines("1 h", device="desktop", boundary="device+office",
                                          grid_intensity=US_GRID, water_intensity=WATER)
    assert [ln.agent for ln in lines] == [True, False]
    co2e = sum(_central(ln)[1] for ln in lines) * 1000
    # desktop + screen 120 W on the grid + 29.2 g embodied + office 1.63 kWh at 86.7 g/kWh (mixed carriers)
    assert co2e == pytest.approx(0.120 * 383.55 + 29.2 + 1.63 * 86.7)


def test_per_capita_boundary_reproduces_tomlinson_page():
    # Tomlinson et al. 2024 (published.csv ALT-TOM-01): 1.7 kg/h x 250 words / 300 words/h ~ 1400 gCO2e per page
    lines = alternatives.human_time_lines("50 min", device="laptop", boundary="per_capita_us",
                                          grid_intensity=US_GRID, water_intensity=WATER)
    e = sum(_central(ln)[0] for ln in lines)
    co2e_g = sum(_central(ln)[1] for ln in lines) * 1000
    assert co2e_g == pytest.approx(1400, rel=0.10)
    assert co2e_g == pytest.approx(1700 * 50 / 60)  # nothing else added to the per-capita figure
    assert e == pytest.approx(ureg.Quantity(26.5 * 50 / 60, "Wh").m_as("J"))  # energy keeps the device


def test_device_only_counts_no_office():
    lines = alternatives.human_time_lines("1 h", device="laptop", boundary="device",
                                          grid_intensity=US_GRID, water_intensity=WATER)
    assert [ln.activity for ln in lines] == ["laptop_hour"]


def test_range_quantities_propagate_in_order():
    ln = alternatives.line("car_km", [10, 30], grid_intensity=US_GRID, water_intensity=WATER)
    _, c, *_ = alternatives.line_values(ln, lambda x, unit, key=None: triplet(x, unit))
    # low: 10 km x 121.9 g; high: 30 km x 246.2 g (factor range of the source)
    assert c[0] * 1000 == pytest.approx(10 * 121.9) and c[2] * 1000 == pytest.approx(30 * 246.2)


def test_unknown_activity_suggests_closest():
    with pytest.raises(InputError, match="did you mean email"):
        alternatives.activity("emial")


def test_wrong_quantity_dimension_is_refused():
    with pytest.raises(InputError, match="km|length|kilometer|distance"):
        alternatives.line("car_km", "2 kg", grid_intensity=US_GRID, water_intensity=WATER)


def test_negative_quantity_is_refused():
    with pytest.raises(InputError, match="at least 0"):
        alternatives.line("printed_page", -2, grid_intensity=US_GRID, water_intensity=WATER)
