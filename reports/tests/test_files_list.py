"""The list of one's own reports as a table: kind and state filters, pages, and an
export of exactly the filtered rows, never anyone else's."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import ReportFile

from .test_background import make_file, ready_file

pytestmark = pytest.mark.django_db


def shown(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/reports/files/(\d+)/"', response.content.decode())]


def exported(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_it_filters_my_reports_by_kind_and_state(client, cast):
    quarterly = ready_file(cast, cast.planner)
    scorecard = make_file(cast, cast.planner, kind="scorecard")
    old = make_file(cast, cast.planner, kind="scorecard", created_at=timezone.now() - datetime.timedelta(days=30),
                    expires_at=timezone.now() - datetime.timedelta(days=1))
    ready_file(cast, cast.executive)  # someone else's
    client.force_login(cast.planner)
    url = reverse("reports:files")
    assert sorted(shown(client.get(url))) == sorted([quarterly.pk, scorecard.pk, old.pk])
    assert sorted(shown(client.get(url, {"kind": "scorecard"}))) == sorted([scorecard.pk, old.pk])
    assert shown(client.get(url, {"state": ReportFile.Status.READY})) == [quarterly.pk]
    assert shown(client.get(url, {"state": "expired"})) == [old.pk]
    assert shown(client.get(url, {"kind": "scorecard", "state": "queued"})) == [scorecard.pk]
    assert shown(client.get(url, {"sort": "requested"}))[0] == old.pk  # oldest first
    assert shown(client.get(url))[-1] == old.pk  # newest first by default


def test_the_export_of_my_reports_has_exactly_the_filtered_rows_and_only_mine(client, cast):
    mine = [ready_file(cast, cast.planner) for _ in range(3)]
    make_file(cast, cast.planner, kind="scorecard")
    ready_file(cast, cast.executive)
    client.force_login(cast.planner)
    rows = exported(client.get(reverse("reports:files"), {"kind": "quarterly", "_export": "csv"}))
    assert rows[0][0] == "รายงาน" and len(rows) == 1 + len(mine)
    assert {r[4] for r in rows[1:]} == {str(ReportFile.Status.READY.label)}
    client.force_login(cast.executive)
    assert len(exported(client.get(reverse("reports:files"), {"_export": "csv"}))) == 2
    client.logout()
    assert client.get(reverse("reports:files"), {"_export": "csv"}).status_code == 302


def test_my_reports_come_fifty_a_page_and_the_pages_keep_the_filter(client, cast):
    for _ in range(55):
        make_file(cast, cast.planner)
    make_file(cast, cast.planner, kind="scorecard")
    client.force_login(cast.planner)
    first = client.get(reverse("reports:files"), {"kind": "quarterly"})
    assert len(shown(first)) == 50
    html = first.content.decode()
    link = re.search(r'href="(\?[^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "kind=quarterly" in link
    assert len(shown(client.get(reverse("reports:files") + link))) == 5
