"""Every import and export page of issue 6 sends anonymous users to log in, and a
division's progress sheet never carries another division's drafts."""

import io

import openpyxl
import pytest
from django.urls import reverse

from plans.models import Period
from progress.services import Item, entry_save

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_log_in(client, cast):
    december = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    for url in (reverse("plan-import"), reverse("plan-workbook", args=[cast.plan.pk]), reverse("plan-workbook-template"),
                f"{reverse('progress:sheet')}?period={december.pk}", f"{reverse('progress:import')}?period={december.pk}"):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_another_divisions_sheet_has_only_its_own_items(client, cast):
    """ฝ่ายการศึกษา's staff download their sheet while ฝ่ายโยธา has a draft for December."""
    from indicators.models import Indicator

    december = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    road = Indicator.objects.get(plan=cast.plan, key="okr:1.4.06")
    entry_save(user=cast.staff, plan=cast.plan, period=december, item=Item("indicator", road),
               data={"value": 3, "narrative": "ร่างของฝ่ายโยธา"}, version=0)
    client.force_login(cast.other_staff)
    response = client.get(reverse("progress:sheet"), {"period": december.pk})
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    cells = {c for row in rows for c in row}
    assert "ร่างของฝ่ายโยธา" not in cells and "okr:1.4.06" not in cells
    assert {row[rows[0].index("ฝ่าย")] for row in rows[1:]} == {"ฝ่ายการศึกษา"}
