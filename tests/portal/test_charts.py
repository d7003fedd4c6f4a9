"""Server-side SVG charts: exact geometry of the radar, gaps and legend of the trend, escaping."""

from decimal import Decimal

from portal.charts import Series, radar_svg, trend_svg


def test_radar_points_and_escaping():
    svg = radar_svg(["A", "B", "C", "D"], [Series("<own>", [100, 50, None, Decimal("25")], "own")], size=200)
    # centre 100,100, radius 44: 100 up, 50 right, missing at the centre, 25 left.
    assert 'points="100.0,56.0 122.0,100.0 100.0,100.0 89.0,100.0"' in svg
    assert "<title>&lt;own&gt;</title>" in svg and "<own>" not in svg


def test_trend_breaks_lines_at_missing_cycles_and_has_a_legend():
    svg = trend_svg(["1", "2", "3", "4"], [Series("Overall", [10, None, 30, 40], "overall")])
    assert svg.count("<polyline") == 2
    assert ">Overall</text>" in svg
