"""Importing a progress sheet: the sheet staff download, the dry run, all-or-nothing,
every kind of bad input, access, history and query counts."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from plans.models import Period
from progress import selectors
from progress import sheet as cols
from progress.models import PeriodLock, ProgressEntry, State
from progress.resources import import_progress, sheet_entries, sheet_workbook
from progress.services import PermissionRefused, entry_endorse, entry_save, entry_submit, entry_verify

pytestmark = pytest.mark.django_db

HEADER = [cols.KIND, cols.CODE, cols.DIVISION, cols.PERIOD, cols.VALUE, cols.NARRATIVE, cols.PERCENT]
DEC = "ธันวาคม 2566"  # fiscal month 3 of FY 2567, the `period` fixture


def xlsx(header, rows, extra_sheets=()):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "ผลการดำเนินงาน"
    ws.append(header)
    for row in rows:
        ws.append(row)
    for name in extra_sheets:
        book.create_sheet(name)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(header, rows, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def run(cast, data, user=None, dry_run=False, name="ผล ธ.ค.xlsx", plan=None):
    return import_progress(user=user or cast.staff, plan=plan or cast.plan, data=data, filename=name, dry_run=dry_run)


def actions(preview):
    return [(r.number, r.action) for s in preview.sheets for r in s.rows]


def errors(preview):
    return [(r.number, column, message) for s in preview.sheets for r in s.rows for column, message in r.errors]


def sheet_rows(items) -> int:
    """The sheet's data rows for these items: OKR 1.4.07 has a row per measure (two)."""
    return len(items) + sum(1 for item in items if item.obj.key == "okr:1.4.07")


def road(value="120", narrative="ปรับปรุงถนน", code="okr:1.4.06", period=DEC, division="ฝ่ายโยธา"):
    return ["ตัวชี้วัด", code, division, period, value, narrative, None]


def test_downloaded_sheet_round_trip_dry_run_then_import(cast, period):
    items = selectors.items_for(cast.plan, period, cast.division)
    data = sheet_workbook(sheet_entries(cast.plan, [(period, item, None) for item in items]))
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.active
    header = [c.value for c in ws[1]]
    assert header[:5] == [cols.KIND, cols.CODE, cols.NAME, cols.DIVISION, cols.PERIOD]
    assert ws.max_row == sheet_rows(items) + 1
    # Fill in the result of the first indicator only; the other rows stay blank.
    ws.cell(row=2, column=header.index(cols.VALUE) + 1, value="๑๒๐.๕")
    ws.cell(row=2, column=header.index(cols.NARRATIVE) + 1, value="ดำเนินการแล้ว")
    out = io.BytesIO()
    book.save(out)

    preview = run(cast, out.getvalue(), dry_run=True)
    assert not preview.has_errors, errors(preview)
    assert actions(preview)[0] == (2, "new")
    assert {a for _n, a in actions(preview)[1:]} == {"skip"}
    assert not ProgressEntry.objects.exists()

    run(cast, out.getvalue())
    entry = ProgressEntry.objects.get()
    assert entry.value == Decimal("120.5") and entry.narrative == "ดำเนินการแล้ว"
    assert entry.state == State.DRAFT and entry.version == 1 and entry.updated_by == cast.staff
    record = entry.history.get()
    assert record.history_user == cast.staff and "ผล ธ.ค.xlsx" in record.history_change_reason

    # The same file again changes nothing.
    again = run(cast, out.getvalue())
    assert {a for _n, a in actions(again)} == {"skip"}
    assert entry.history.count() == 1


def test_update_bumps_the_version_and_returned_becomes_draft(cast, period, road_item):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                       data={"value": Decimal("1"), "narrative": "ก"}, version=0)
    preview = run(cast, xlsx(HEADER, [road(value="2", narrative="ก")]))
    assert actions(preview) == [(2, "update")]
    entry.refresh_from_db()
    assert entry.value == Decimal("2") and entry.version == 2 and entry.updated_by == cast.staff
    assert entry.history.order_by("-history_date").first().history_user == cast.staff
    assert entry.history.order_by("-history_date").first().history_change_reason.endswith("ผล ธ.ค.xlsx")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp874"])
def test_csv_in_utf8_with_or_without_bom_and_tis620(cast, encoding):
    preview = run(cast, csv_bytes(HEADER, [road(value="๑๒")], encoding), name="ผล.csv")
    assert actions(preview) == [(2, "new")], errors(preview)
    assert ProgressEntry.objects.get().value == Decimal("12")


def test_one_bad_row_writes_nothing(cast):
    rows = [road(), road(code="okr:1.4.06-x", value="3")]
    preview = run(cast, xlsx(HEADER, rows))
    assert preview.has_errors
    assert errors(preview) == [(3, cols.CODE, "There is no item with the code «okr:1.4.06-x» in this plan.")]
    assert not ProgressEntry.objects.exists()


def test_text_in_a_number_column_names_row_and_column(cast):
    with translation.override("th"):
        preview = run(cast, xlsx(HEADER, [road(value="ประมาณร้อย")]))
    ((number, column, message),) = errors(preview)
    assert (number, column) == (2, cols.VALUE) and "ไม่ใช่ตัวเลข" in message
    assert not ProgressEntry.objects.exists()


def test_another_divisions_item_is_refused_for_staff(cast):
    school = ["โครงการ", "p2:6.2.1", "", DEC, None, "x", "50"]
    preview = run(cast, xlsx(HEADER, [road(), school]))
    ((number, column, message),) = errors(preview)
    assert (number, column) == (3, cols.CODE) and "ฝ่ายการศึกษา" in message
    assert not ProgressEntry.objects.exists()


def test_only_the_divisions_own_people_import_progress(cast):
    """Drafts are the division's own: planners, executives and administrators, who never
    edit them on the pages, do not import them either; a head imports for the division."""
    for who in ("planner", "executive", "administrator"):
        with pytest.raises(PermissionRefused):
            run(cast, xlsx(HEADER, [road()]), user=getattr(cast, who))
    preview = run(cast, xlsx(HEADER, [road()]), user=cast.head)
    assert actions(preview) == [(2, "new")], errors(preview)
    assert {h.history_user for h in ProgressEntry.history.all()} == {cast.head}


def test_unknown_or_wrong_division(cast):
    preview = run(cast, xlsx(HEADER, [road(division="ฝ่ายไม่มีจริง"), road(division="ฝ่ายการศึกษา", period="มกราคม 2567")]))
    assert [(n, c) for n, c, _m in errors(preview)] == [(2, cols.DIVISION), (3, cols.DIVISION)]


def test_duplicate_rows_for_the_same_item_and_period(cast):
    preview = run(cast, xlsx(HEADER, [road(), road(value="5")]))
    ((number, column, message),) = errors(preview)
    assert (number, column) == (3, cols.CODE) and "row 2" in message
    assert not ProgressEntry.objects.exists()


def test_unknown_period_and_wrong_kind_of_item(cast):
    rows = [road(period="เดือนหน้า"), ["ตัวชี้วัด", "p2:1.7.1", "", DEC, "1", "", None]]
    preview = run(cast, xlsx(HEADER, rows))
    assert [(n, c) for n, c, _m in errors(preview)] == [(2, cols.PERIOD), (3, cols.CODE)]


def test_a_percent_for_an_indicator_and_out_of_range(cast):
    rows = [["ตัวชี้วัด", "okr:1.4.06", "", DEC, "1", "", "50"], ["โครงการ", "p2:1.7.1", "", DEC, None, "", "150"]]
    preview = run(cast, xlsx(HEADER, rows))
    assert [(n, c) for n, c, _m in errors(preview)] == [(2, cols.PERCENT), (3, cols.PERCENT)]


def test_locked_period_is_refused(cast, period):
    PeriodLock.objects.create(organization=cast.org, period=period, locked=True)
    preview = run(cast, xlsx(HEADER, [road()]))
    ((_n, column, message),) = errors(preview)
    assert column == cols.PERIOD and "locked" in message
    assert not ProgressEntry.objects.exists()


def test_approved_and_submitted_reports_are_refused(cast, period, road_item):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                       data={"value": Decimal("1"), "narrative": "ก"}, version=0)
    entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    preview = run(cast, xlsx(HEADER, [road(value="9")]))
    assert [(n, c) for n, c, _m in errors(preview)] == [(2, cols.STATE)]
    entry = entry_endorse(user=cast.head, entry=entry, version=entry.version)
    entry = entry_verify(user=cast.planner, entry=entry, verified_value=Decimal("1"), comment="", version=entry.version)
    preview = run(cast, xlsx(HEADER, [road(value="9")]), user=cast.head)
    assert [(n, c) for n, c, _m in errors(preview)] == [(2, cols.STATE)]
    entry.refresh_from_db()
    assert entry.value == Decimal("1") and entry.state == State.APPROVED


def test_other_organization_is_refused(cast):
    from accounts import roles
    from plans.models import Division
    from tests.factories import make_user

    their_division = Division.objects.create(organization=cast.other_org, name="ฝ่ายโยธา")
    their_staff = make_user("staff_bangkhae", roles.DIVISION_STAFF, cast.other_org, their_division)
    with pytest.raises(PermissionRefused):
        run(cast, xlsx(HEADER, [road()]), user=their_staff)
    # In their own plan, our codes do not exist.
    preview = run(cast, xlsx(HEADER, [road()]), user=their_staff, plan=cast.other_plan)
    assert (2, cols.CODE) in [(n, c) for n, c, _m in errors(preview)]
    assert not ProgressEntry.objects.exists()


def test_files_that_are_not_spreadsheets_and_too_large(cast, settings):
    preview = run(cast, b"%PDF-1.4\x00\x01\x02binary", name="x.pdf")
    assert preview.errors and not preview.sheets
    preview = run(cast, b"not a zip at all", name="x.xlsx")
    assert preview.errors
    settings.PROGRESS_IMPORT_MAX_BYTES = 1000
    preview = run(cast, csv_bytes(HEADER, [road()] * 50), name="big.csv")
    assert preview.errors and "MB" in preview.errors[0]
    assert not ProgressEntry.objects.exists()


def test_empty_files_and_sheets(cast):
    assert run(cast, xlsx([], [])).errors  # nothing at all
    assert run(cast, xlsx(HEADER, [])).errors  # a header and no rows
    preview = run(cast, xlsx(HEADER, [road()], extra_sheets=["Sheet2"]))  # an empty extra sheet is ignored
    assert not preview.has_errors and actions(preview) == [(2, "new")]
    preview = run(cast, xlsx(["อะไร", "ก็ได้"], [["1", "2"]]))
    assert preview.has_errors and "รหัสรายการ" in preview.sheets[0].errors[0]


def test_uncalculated_formula_and_merged_cells(cast):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(HEADER)
    ws.append(road(value="=1+1"))
    out = io.BytesIO()
    book.save(out)
    with translation.override("th"):
        preview = run(cast, out.getvalue())
    assert preview.has_errors and "สูตร" in preview.sheets[0].errors[0]
    assert not ProgressEntry.objects.exists()

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(HEADER)
    ws.append(road(narrative="ทำแล้ว"))
    ws.append(road(period="มกราคม 2567", narrative=None))
    ws.merge_cells("F2:F3")  # the narrative typed once for both months
    out = io.BytesIO()
    book.save(out)
    preview = run(cast, out.getvalue())
    assert actions(preview) == [(2, "new"), (3, "new")], errors(preview)
    assert set(ProgressEntry.objects.values_list("narrative", flat=True)) == {"ทำแล้ว"}


def _rows_for_division(cast, count):
    rows = []
    for month in Period.objects.filter(fiscal_year_id=2567, kind="month").order_by("number"):
        for item in selectors.items_for(cast.plan, month, cast.division):
            if item.obj.key == "okr:1.4.07":
                continue  # a row per measure, in a column this sheet has not (test_measures.py)
            kind = "ตัวชี้วัด" if item.kind == "indicator" else "โครงการ"
            value, percent = ("1", None) if item.kind == "indicator" else (None, "10")
            rows.append([kind, cols.item_code(item.obj), "", cols.period_label(month), value, "ทำแล้ว", percent])
            if len(rows) == count:
                return rows
    raise AssertionError("not enough items")


def test_query_count_does_not_grow_with_rows(cast):
    run(cast, xlsx(HEADER, _rows_for_division(cast, 1)), dry_run=True)  # the user's roles, cached
    counts = []
    for n in (10, 100):
        ProgressEntry.objects.all().delete()
        data = xlsx(HEADER, _rows_for_division(cast, n))
        with CaptureQueriesContext(connection) as ctx:
            preview = run(cast, data)
        assert not preview.has_errors, errors(preview)[:3]
        assert ProgressEntry.objects.count() == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    # ... and an import that updates every row too.
    data = xlsx(HEADER, [r[:5] + ["ทำเพิ่ม"] + r[6:] for r in _rows_for_division(cast, 100)])
    with CaptureQueriesContext(connection) as ctx:
        preview = run(cast, data)
    assert {a for _n, a in actions(preview)} == {"update"}
    assert len(ctx.captured_queries) <= counts[0] + 2


# -- pages -------------------------------------------------------------------------

def test_pages_download_preview_confirm(client, cast, period):
    client.force_login(cast.staff)
    response = client.get(reverse("progress:sheet"), {"period": period.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.active.max_row == sheet_rows(selectors.items_for(cast.plan, period, cast.division)) + 1

    upload = io.BytesIO(xlsx(HEADER, [road()]))
    upload.name = "ผล.xlsx"
    response = client.post(reverse("progress:import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["preview"].sheets[0].rows[0].action == "new"
    token = response.context["token"]
    assert token and not ProgressEntry.objects.exists()
    response = client.post(reverse("progress:import"), {"token": token, "action": "confirm"})
    assert response.status_code == 302
    assert ProgressEntry.objects.get().value == Decimal("120")
    # The stored upload is gone: confirming twice does nothing.
    response = client.post(reverse("progress:import"), {"token": token, "action": "confirm"})
    assert response.status_code == 400
    assert ProgressEntry.objects.count() == 1


def test_page_with_bad_file_offers_no_confirm(client, cast):
    client.force_login(cast.staff)
    upload = io.BytesIO(b"%PDF-1.4\x00garbage")
    upload.name = "x.pdf"
    response = client.post(reverse("progress:import"), {"file": upload})
    assert response.status_code == 200 and response.context["token"] is None
    upload = io.BytesIO(xlsx(HEADER, [road(value="abc")]))
    upload.name = "x.xlsx"
    response = client.post(reverse("progress:import"), {"file": upload})
    assert response.status_code == 200 and response.context["token"] is None
    assert "ไม่ใช่ตัวเลข" in response.content.decode()


def test_planners_and_executives_read_submitted_results_only_and_cannot_import(client, cast, period, road_item):
    """Their sheet is the organization's submitted results: a division's draft is not in it."""
    draft = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                       data={"value": Decimal("3"), "narrative": "ร่างของฝ่ายโยธา"}, version=0)
    for who in ("planner", "executive"):
        client.force_login(getattr(cast, who))
        response = client.get(reverse("progress:sheet"), {"period": period.pk})
        assert response.status_code == 200
        cells = {c for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in row}
        assert "ร่างของฝ่ายโยธา" not in cells
        assert client.get(reverse("progress:import")).status_code == 403
    entry_submit(user=cast.staff, entry=draft, version=draft.version)
    response = client.get(reverse("progress:sheet"), {"period": period.pk})
    cells = {c for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in row}
    assert "ร่างของฝ่ายโยธา" in cells
    client.force_login(cast.other_planner)
    assert client.get(reverse("progress:sheet"), {"period": period.pk, "plan": cast.plan.pk}).status_code == 404


def test_admin_exports_the_sheet_columns(client, cast, period, road_item):
    entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item, data={"value": Decimal("7"), "narrative": "ก"},
               version=0)
    client.force_login(cast.administrator)
    response = client.post(reverse("admin:progress_progressentry_export"),
                           {"format": "0", "resource": "0", **{f"progressentryresource_{name}": "on" for name in (
                               "kind", "code", "name", "division_name", "period_label", "value", "state_label")}})
    assert response.status_code == 200, response.content[:500]
    text = response.content.decode("utf-8-sig")
    assert cols.CODE in text and "okr:1.4.06" in text and DEC in text


@pytest.mark.parametrize("between", ["saved", "created"])
def test_a_change_made_between_preview_and_confirm_is_not_overwritten(client, cast, period, road_item, between):
    """Another user saves the same report while the importer reads the preview: the
    confirmation refuses the whole file, and their text is kept."""
    if between == "saved":
        first = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                           data={"value": Decimal(1), "narrative": "ร่างแรก"}, version=0)
    client.force_login(cast.staff)
    upload = io.BytesIO(xlsx(HEADER, [road(value="5", narrative="จากไฟล์")]))
    upload.name = "ผล.xlsx"
    response = client.post(reverse("progress:import"), {"file": upload})
    token = response.context["token"]
    assert token

    current = ProgressEntry.objects.filter(period=period, indicator=road_item.obj).first()
    entry_save(user=cast.head, plan=cast.plan, period=period, item=road_item,
               data={"value": Decimal(2), "narrative": "หัวหน้าฝ่ายแก้ระหว่างนั้น"},
               version=current.version if current else 0)
    response = client.post(reverse("progress:import"), {"token": token, "action": "confirm"})
    assert response.status_code == 409
    entry = ProgressEntry.objects.get(period=period, indicator=road_item.obj)
    assert entry.narrative == "หัวหน้าฝ่ายแก้ระหว่างนั้น" and entry.value == Decimal(2)
    assert between != "saved" or first.pk == entry.pk


def test_a_quarters_sheet_has_a_row_per_month_and_imports_into_the_months(client, cast, period, road_item):
    # Chosen a quarter, the sheet once listed monthly items under the quarter itself, so
    # an import would have filed them as quarterly reports.
    from plans.models import Period

    q1 = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    client.force_login(cast.staff)
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("progress:sheet"), {"period": q1.pk}).content))
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    mine = [r for r in rows if r[1] == "okr:1.4.06"]
    assert [r[4] for r in mine] == [cols.period_label(Period.objects.get(fiscal_year_id=2567, kind="month", number=n))
                                    for n in (1, 2, 3)]
    assert len(rows) == 3 * sheet_rows(selectors.items_for(cast.plan, period, cast.division))
    # Filled in for November and uploaded: the report is November's.
    header = [c.value for c in book.active[1]]
    november = next(i for i, r in enumerate(rows) if r[1] == "okr:1.4.06" and r[4] == mine[1][4])
    book.active.cell(row=november + 2, column=header.index(cols.VALUE) + 1, value="๑๒.๕")
    book.active.cell(row=november + 2, column=header.index(cols.NARRATIVE) + 1, value="ล้างท่อซอย ๓")
    out = io.BytesIO()
    book.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "ไตรมาส ๑.xlsx"
    response = client.post(f"{reverse('progress:import')}?period={q1.pk}", {"file": upload})
    assert not response.context["preview"].has_errors, response.context["preview"]
    client.post(f"{reverse('progress:import')}?period={q1.pk}", {"token": response.context["token"], "action": "confirm"})
    entry = ProgressEntry.objects.get(indicator=road_item.obj)
    assert (entry.period.kind, entry.period.number, entry.value) == ("month", 2, Decimal("12.5"))
