"""Hostile spreadsheets through the real upload pages (issue 12): the progress sheet
import as division staff, and the plan workbook import as a planner, reached from the
admin's import button (the admin has no import of its own: see
test_no_admin_imports_around_the_checked_reader). Each file is refused with a Thai message
naming the file and the problem, never a 500, nothing is imported or kept for
confirmation, and the request's Python allocations peak under a bound (tracemalloc)."""

import html
import re
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import Period
from progress.models import ProgressEntry
from tests import hostile_files

pytestmark = pytest.mark.django_db

PEAK_BOUND = 40 * 1024 * 1024  # the upload itself is about 1 MB; the old reader took 2 GB on the bomb

PROBLEMS = {
    "zip bomb": "เกินขนาดที่รับได้ ๕๐.๐ MB ต่อส่วน",
    "lying zip bomb": "แตกไฟล์ออกมาไม่ตรงกับที่สารบัญของไฟล์ระบุไว้",
    "billion laughs": "<!DOCTYPE>, <!ENTITY>",
    "xxe": "<!DOCTYPE>, <!ENTITY>",
}


@pytest.fixture(scope="module")
def hostile():
    return {kind: build() for kind, build in hostile_files.HOSTILE.items()}


def post_measured(client, url, data: bytes, name: str):
    tracemalloc.start()
    try:
        response = client.post(url, {"file": SimpleUploadedFile(name, data), "action": "preview"})
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak


def assert_refused(response, peak, name: str, problem: str):
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    problems = re.search(r'id="import-problems".*?</div>', page, re.S)
    assert problems, page[-2000:]
    assert f"«{name}»" in problems.group(0) and problem in problems.group(0) and "ไม่ได้นำเข้าข้อมูลใด ๆ" in problems.group(0)
    assert 'id="confirm-import"' not in page and response.context["token"] is None
    assert peak < PEAK_BOUND, f"{peak / 1048576:.1f} MB"


@pytest.mark.parametrize("kind", list(hostile_files.HOSTILE))
def test_the_progress_sheet_import_refuses_it(client, cast, hostile, kind):
    december = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    before = ProgressEntry.objects.count()
    client.force_login(cast.staff)
    name = f"ผล ธ.ค. {kind}.xlsx"
    response, peak = post_measured(client, f"{reverse('progress:import')}?period={december.pk}", hostile[kind], name)
    assert_refused(response, peak, name, PROBLEMS[kind])
    assert ProgressEntry.objects.count() == before


@pytest.mark.parametrize("kind", list(hostile_files.HOSTILE))
def test_the_admins_plan_import_refuses_it(client, cast, hostile, kind):
    from indicators.models import Indicator

    client.force_login(cast.planner)
    page = client.get(reverse("admin:indicators_indicator_changelist")).content.decode()
    url = html.unescape(re.search(r'href="([^"]+)"[^>]*id="plan-workbook-import"', page).group(1))
    before = (Indicator.objects.count(), Indicator.history.count())
    name = f"แผน {kind}.xlsx"
    response, peak = post_measured(client, url, hostile[kind], name)
    assert_refused(response, peak, name, PROBLEMS[kind])
    assert (Indicator.objects.count(), Indicator.history.count()) == before


def test_no_admin_imports_around_the_checked_reader():
    """Every upload goes through kpiplan.lib.spreadsheets.read_upload: no admin page offers
    django-import-export's own import (which would parse files unchecked)."""
    from django.contrib import admin
    from import_export.admin import ImportMixin

    importing = [type(a).__name__ for a in admin.site._registry.values() if isinstance(a, ImportMixin)]
    assert importing == []
    assert not any("import" in p.name for a in admin.site._registry.values() for p in a.get_urls()
                   if getattr(p, "name", None))
