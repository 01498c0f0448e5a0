"""The per-year targets on the indicator's admin page: one input per B.E. year, saved to
the same JSON the book prints from."""

import pytest

from indicators.models import Indicator
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator(real_plan):
    """Part 1's KPI that prints a target for 2566 («-») and for 2567 (a sentence)."""
    return Indicator.objects.filter(plan=real_plan).exclude(target_year_text={}).order_by("pk").first()


def _url(indicator):
    return f"/admin/indicators/indicator/{indicator.pk}/change/"


def test_each_year_is_an_input_labelled_with_its_buddhist_era_year(client, cast, indicator):
    client.force_login(cast.planner)
    page = client.get(_url(indicator)).content.decode()
    assert 'name="target_year_text"' not in page
    assert "เป้าหมายปี พ.ศ. ๒๕๖๖" in page and "เป้าหมายปี พ.ศ. ๒๕๖๗" in page
    assert f'{indicator.target_year_text["2567"]}</textarea>' in page


def test_thai_digits_and_separators_are_saved_as_typed_and_an_empty_year_is_dropped(client, cast, indicator):
    client.force_login(cast.planner)
    page = client.get(_url(indicator))
    data = form_data(page, target_year_2566="", target_year_2567="๑,๒๕๐", change_reason="เป้าหมายใหม่")
    response = client.post(_url(indicator), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    indicator.refresh_from_db()
    assert indicator.target_year_text == {"2567": "๑,๒๕๐"}
    # the book's Part 1 reads it as it did (previous year empty, this year as typed)
    assert indicator.history.first().history_change_reason == "เป้าหมายใหม่"


def test_a_mistyped_number_is_refused_in_thai_naming_the_year_and_nothing_typed_is_lost(client, cast, indicator):
    before = dict(indicator.target_year_text)
    client.force_login(cast.planner)
    page = client.get(_url(indicator))
    data = form_data(page, target_year_2566="ร้อยละ ๙๐", target_year_2567="๑๒,๕๐", change_reason="แก้เป้าหมาย")
    response = client.post(_url(indicator), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "เป้าหมายปี พ.ศ. ๒๕๖๗: «๑๒,๕๐» ไม่ใช่ตัวเลขที่เขียนถูกต้อง" in text
    assert "ร้อยละ ๙๐</textarea>" in text and "๑๒,๕๐</textarea>" in text and "แก้เป้าหมาย" in text
    indicator.refresh_from_db()
    assert indicator.target_year_text == before


def test_a_target_on_two_lines_keeps_its_line_break(client, cast, indicator):
    client.force_login(cast.planner)
    page = client.get(_url(indicator))
    data = form_data(page, target_year_2567="ร้อยละ ๑๐๐\nของชุมชนทั้งหมด", change_reason="สองบรรทัด")
    assert client.post(_url(indicator), data).status_code == 302
    indicator.refresh_from_db()
    assert indicator.target_year_text["2567"] == "ร้อยละ ๑๐๐\nของชุมชนทั้งหมด"


def test_words_as_printed_round_trip_unchanged(client, cast, indicator):
    before = dict(indicator.target_year_text)
    client.force_login(cast.planner)
    page = client.get(_url(indicator))
    response = client.post(_url(indicator), form_data(page, change_reason="ตรวจทาน"))
    assert response.status_code == 302, (response.context["adminform"].form.errors,
                                         [f.errors for s in response.context["inline_admin_formsets"] for f in s.formset])
    indicator.refresh_from_db()
    assert indicator.target_year_text == before
