"""The indicator page's chart of results against the planned pace (no database)."""

import re
from decimal import Decimal

from django.utils import translation

from kpiplan.lib.charts import pace_chart_svg


def test_it_is_an_image_with_a_title_and_a_number_beside_each_result():
    with translation.override("th"):  # numbers in the reader's digits
        svg = pace_chart_svg([Decimal(10), Decimal(20), Decimal(30)], [Decimal("12.5"), None, Decimal(1500)], ["ต.ค.", "พ.ย.", "ธ.ค."],
                             title="ผลเทียบแผน <กม.>", expected_label="แผน", actual_label="ผล", target=Decimal(40))
    assert 'role="img"' in svg and "<title>ผลเทียบแผน &lt;กม.&gt;</title>" in svg
    assert re.findall(r'<text class="value"[^>]*>([^<]*)</text>', svg) == ["๑๒.๕", "๑,๕๐๐"]
    assert svg.count('<circle class="result"') == 2
    assert 'class="actual"' not in svg  # a gap between the two results: no line joins them
    assert svg.count('class="planned"') == 1 and 'class="target"' in svg
    with translation.override("en"):
        svg = pace_chart_svg([Decimal(10)], [Decimal(1500)], ["Oct"], title="t")
    assert re.findall(r'<text class="value"[^>]*>([^<]*)</text>', svg) == ["1,500"]


def test_the_largest_value_reaches_the_top_and_zero_the_axis():
    svg = pace_chart_svg([Decimal(50)], [Decimal(100)], ["ต.ค."], title="t", width=200, height=200)
    cy = float(re.search(r'<circle class="result" cx="[^"]+" cy="([^"]+)"', svg).group(1))
    assert cy == 28.0  # the top of the plot
    empty = pace_chart_svg([None], [None], ["ต.ค."], title="t")
    assert "<circle" not in empty and 'class="planned"' not in empty
