"""The pages and the API show the same numbers (they call the same functions)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kpiplan.lib.thai import format_number
from progress.services import entry_save, entry_submit

pytestmark = pytest.mark.django_db


def test_status_page_and_api_agree(client, cast, period, road_item):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                       data={"value": Decimal("20.4895"), "narrative": "ผล"}, version=0)
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    client.force_login(cast.planner)
    api = client.get(f"/api/indicators/{road_item.obj.pk}/status/", {"period": period.pk}).json()
    assert api["achievement"] == "25.00" and api["status"] == "on_track"
    page = client.get(reverse("progress:status"), {"period": period.pk}).content.decode()
    row = page.split(road_item.obj.name)[1].split("</tr>")[0]  # the indicator's row of the status table
    assert format_number(Decimal(api["achievement"]), thai=True) in row  # ๒๕
    assert "status-on_track" in row


def test_project_page_and_api_s_curve_agree(client, cast, real_plan):
    from projects.models import Project

    traffy = Project.objects.get(plan=real_plan, key="p3:1.4")
    client.force_login(cast.planner)
    api = client.get(f"/api/projects/{traffy.pk}/s-curve/").json()
    page = client.get(reverse("projects:detail", args=[traffy.pk])).content.decode()
    planned_row = page.split("</tfoot>")[0].split("<tfoot>")[1].split("</tr>")[0]
    for month in api["months"]:
        assert f"<td>{format_number(Decimal(month['planned']), thai=True)}</td>" in planned_row


