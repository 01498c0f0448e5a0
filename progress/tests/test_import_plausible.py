"""The progress sheet import applies the same plausibility rules as the form, and a
sheet downloaded and uploaded again unchanged imports even when some of its reports
were submitted, approved or locked since: only changed rows of those are errors."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from progress import sheet as cols
from progress.models import PeriodLock, ProgressEntry, State
from progress.resources import import_progress
from progress.services import entry_endorse, entry_save, entry_submit, entry_verify

pytestmark = pytest.mark.django_db

HEADER = [cols.KIND, cols.CODE, cols.DIVISION, cols.PERIOD, cols.VALUE, cols.NARRATIVE, cols.PERCENT]
WITH_EXPLANATION = HEADER + [cols.EXPLANATION]
DEC = "ธันวาคม 2566"


def xlsx(header, rows):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(cast, data, user=None, dry_run=False):
    with translation.override("th"):
        return import_progress(user=user or cast.staff, plan=cast.plan, data=data, filename="ผล.xlsx", dry_run=dry_run)


def actions(preview):
    return [(r.number, r.action) for s in preview.sheets for r in s.rows]


def errors(preview):
    return [(r.number, column, message) for s in preview.sheets for r in s.rows for column, message in r.errors]


def row(code, value, narrative="ดำเนินการ", period=DEC, explanation=None):
    cells = ["ตัวชี้วัด", code, "ฝ่ายโยธา", period, value, narrative, None]
    return cells if explanation is None else cells + [explanation]


def test_minus_three_flood_points_is_refused_naming_row_and_column(cast):
    preview = run(cast, xlsx(HEADER, [row("okr:1.4.06", "12"), row("okr:1.4.05", "-๓")]))
    ((number, column, message),) = errors(preview)
    assert (number, column) == (3, cols.VALUE)
    assert "-๓ จุด ติดลบ" in message
    assert not ProgressEntry.objects.exists()


def test_a_share_over_100_is_refused(cast):
    preview = run(cast, xlsx(HEADER, [row("pa:1.1.3", "150")]))
    ((number, column, message),) = errors(preview)
    assert (number, column) == (2, cols.VALUE) and "ร้อยละ ๑๕๐ เกิน ๑๐๐" in message


def test_an_unusual_value_needs_the_explanation_column(cast):
    # 999,999 flood points against the district's 3 (the city's 112), as seen on the real plan.
    preview = run(cast, xlsx(HEADER, [row("okr:1.4.05", "999,999")]))
    ((number, column, message),) = errors(preview)
    assert (number, column) == (2, cols.VALUE)
    assert "๙๙๙,๙๙๙ จุด" in message and "เป้าหมายทั้งปี ๓ จุด" in message and cols.EXPLANATION in message
    # The column is there but left empty for this row: still an error.
    preview = run(cast, xlsx(WITH_EXPLANATION, [row("okr:1.4.05", "999,999", explanation="")]))
    assert [(n, c) for n, c, _m in errors(preview)] == [(2, cols.VALUE)]
    assert not ProgressEntry.objects.exists()


def test_an_explained_unusual_value_is_imported_and_flagged(client, cast, period):
    note = "นับรวมจุดเสี่ยงย่อยทุกซอย"
    preview = run(cast, xlsx(WITH_EXPLANATION, [row("okr:1.4.05", "๙๙๙,๙๙๙", explanation=note),
                                                row("okr:1.4.06", "12", explanation="")]))
    assert actions(preview) == [(2, "new"), (3, "new")], errors(preview)
    flood = ProgressEntry.objects.get(indicator__key="okr:1.4.05")
    assert flood.value == Decimal("999999") and flood.implausible_note == note
    assert "๙๙๙,๙๙๙ จุด" in flood.implausible_reason and "เป้าหมายทั้งปี ๓ จุด" in flood.implausible_reason
    assert flood.history.get().implausible_note == note
    road = ProgressEntry.objects.get(indicator__key="okr:1.4.06")
    assert road.implausible_reason == road.implausible_note == ""

    entry_submit(user=cast.staff, entry=flood, version=flood.version)
    client.force_login(cast.planner)
    response = client.get(reverse("progress:review"), {"period": period.pk, "unusual": "1"})
    assert [r.entry.pk for r in response.context["rows"]] == [flood.pk]
    assert note in response.content.decode()


def test_a_total_going_down_within_the_same_file(cast):
    rows = [row("okr:1.4.05", "6", period="พฤศจิกายน 2566"), row("okr:1.4.05", "4")]
    preview = run(cast, xlsx(HEADER, rows))
    ((number, column, message),) = errors(preview)
    assert (number, column) == (3, cols.VALUE) and "๖ จุด" in message and "ลดลง" in message
    rows = [row("okr:1.4.05", "6", period="พฤศจิกายน 2566", explanation=""),
            row("okr:1.4.05", "4", explanation="เดือนก่อนนับซ้ำ")]
    preview = run(cast, xlsx(WITH_EXPLANATION, rows))
    assert actions(preview) == [(2, "new"), (3, "new")], errors(preview)


def _download(client, cast, period):
    client.force_login(cast.staff)
    response = client.get(reverse("progress:sheet"), {"period": period.pk})
    assert response.status_code == 200
    return response.content


def _upload(client, data, name="ผล ธ.ค.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(reverse("progress:import"), {"file": upload})


def _set_cell(data, code, column, value):
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.active
    header = [c.value for c in ws[1]]
    for cells in ws.iter_rows(min_row=2):
        if cells[header.index(cols.CODE)].value == code:
            cells[header.index(column)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _reports(cast, period, road_item, lamp_item, flood_item):
    """A submitted, an approved (with a confirmed unusual value) and a draft report."""
    road = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                      data={"value": Decimal("30.9"), "narrative": "ปรับปรุงถนน\nช่วงที่ ๑", "obstacles": "ฝนตก"}, version=0)
    road = entry_submit(user=cast.staff, entry=road, version=road.version)
    flood = entry_save(user=cast.staff, plan=cast.plan, period=period, item=flood_item,
                       data={"value": Decimal("999999"), "narrative": "แก้ไขจุดเสี่ยง", "implausible_confirmed": True,
                             "implausible_note": "นับรวมจุดย่อย"}, version=0)
    flood = entry_submit(user=cast.staff, entry=flood, version=flood.version)
    flood = entry_endorse(user=cast.head, entry=flood, version=flood.version)
    flood = entry_verify(user=cast.planner, entry=flood, verified_value=Decimal("112"), comment="", version=flood.version)
    # 1,250.5 lamps against the district's 70: confirmed in writing (a number with a
    # thousands separator is the point here).
    lamps = entry_save(user=cast.staff, plan=cast.plan, period=period, item=lamp_item,
                       data={"value": Decimal("1250.5"), "narrative": "ติดตั้งโคม", "implausible_confirmed": True,
                             "implausible_note": "รวมโคมที่ซ่อม"}, version=0)
    return road, flood, lamps


def test_the_sheet_uploaded_again_unchanged_imports_with_submitted_rows_skipped(client, cast, period, road_item,
                                                                                lamp_item, flood_item):
    road, flood, lamps = _reports(cast, period, road_item, lamp_item, flood_item)
    data = _download(client, cast, period)
    response = _upload(client, data)
    preview = response.context["preview"]
    assert not preview.has_errors, errors(preview)
    assert {a for _n, a in actions(preview)} == {"skip"}
    assert response.context["token"]
    assert "ไม่เปลี่ยนแปลง" in response.content.decode()
    assert "เขียนคำชี้แจงไว้ในคอลัมน์ «คำชี้แจงค่าผิดปกติ»" in response.content.decode()  # how to explain a result
    response = client.post(reverse("progress:import"), {"token": response.context["token"], "action": "confirm"})
    assert response.status_code == 302
    for entry in (road, flood, lamps):
        before = entry.version
        entry.refresh_from_db()
        assert entry.version == before  # nothing written, no empty version in the history
    assert road.state == State.SUBMITTED and flood.state == State.APPROVED

    # A locked period: the unchanged sheet still goes through, untouched.
    PeriodLock.objects.create(organization=cast.org, period=period, locked=True)
    preview = run(cast, data)
    assert not preview.has_errors and {a for _n, a in actions(preview)} == {"skip"}, errors(preview)
    changed = _set_cell(data, "okr:1.1.03", cols.VALUE, "1,300")
    assert [(c, "ปิดงวด" in m) for _n, c, m in errors(run(cast, changed))] == [(cols.PERIOD, True)]


def test_a_changed_row_of_a_submitted_or_approved_report_is_an_error(client, cast, period, road_item, lamp_item,
                                                                     flood_item):
    road, flood, lamps = _reports(cast, period, road_item, lamp_item, flood_item)
    data = _download(client, cast, period)
    changed = _set_cell(data, "okr:1.4.06", cols.NARRATIVE, "แก้ข้อความหลังส่งแล้ว")
    changed = _set_cell(changed, "okr:1.1.03", cols.VALUE, "๑,๓๐๐")  # the draft may change
    preview = run(cast, changed)
    assert [(c, "ส่ง" in m) for _n, c, m in errors(preview)] == [(cols.STATE, True)]
    assert "okr:1.4.06" in [r.label.split()[0] for s in preview.sheets for r in s.rows if r.action == "error"]
    changed = _set_cell(data, "okr:1.4.05", cols.EXPLANATION, "คำชี้แจงใหม่")
    assert [c for _n, c, _m in errors(run(cast, changed))] == [cols.STATE]
    # Only the draft changed: imported, the others skipped.
    preview = run(cast, _set_cell(data, "okr:1.1.03", cols.VALUE, "๑,๓๐๐"))
    assert not preview.has_errors, errors(preview)
    assert sorted(a for _n, a in actions(preview) if a != "skip") == ["update"]
    lamps.refresh_from_db()
    assert lamps.value == Decimal("1300") and lamps.version == 2


def test_numbers_compare_by_value_not_by_spelling(client, cast, period, road_item, lamp_item, flood_item):
    """1250.5 typed back as ๑,๒๕๐.๕๐ or 1250.500 is the same number: nothing to change."""
    road, _flood, _lamps = _reports(cast, period, road_item, lamp_item, flood_item)
    data = _download(client, cast, period)
    for spelling in ("๑,๒๕๐.๕๐", "1250.500", 1250.5):
        preview = run(cast, _set_cell(data, "okr:1.1.03", cols.VALUE, spelling))
        assert not preview.has_errors and {a for _n, a in actions(preview)} == {"skip"}, (spelling, errors(preview))
    for spelling in ("๓๐.๙", "30.90", 30.9):
        preview = run(cast, _set_cell(data, "okr:1.4.06", cols.VALUE, spelling))
        assert not preview.has_errors and {a for _n, a in actions(preview)} == {"skip"}, (spelling, errors(preview))
