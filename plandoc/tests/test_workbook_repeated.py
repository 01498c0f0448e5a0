"""The same workbook uploaded again and again, one after the other or at the same moment
(a double click, a second tab, two planners): every upload gets a real answer, never
"an unexpected error", and every error the database raises is logged with its
traceback and the file's name (issue 15, item 8).

The cause was twofold: two imports of one organization ran side by side and both
inserted the same new plan (or fiscal year, or rows), so the second failed on a unique
constraint; and a sheet's database error, raised inside simple-history's bulk writes,
left the transaction marked broken, so rolling back the sheet's bare savepoint raised
TransactionManagementError, which hid the real error behind the generic message."""

import logging
import threading

import pytest
from django.db import connection

from accounts import roles
from plandoc.tests.test_workbook import edit, fill, fill_plan_row, problems
from plandoc.workbook import export_workbook, import_workbook
from plans.models import Organization, Plan
from projects.models import Project, WorkStep
from tests.factories import make_user

UNEXPECTED = "An unexpected error stopped the import"


def district_workbook(organization, year=2570) -> bytes:
    def change(book):
        fill_plan_row(book, {"ปีงบประมาณ (พ.ศ.)": year, "ชื่อแผน": f"แผน {year} {organization.name}"})
        fill(book, "ฝ่าย", [{"ลำดับ": 1, "ชื่อฝ่าย": "ฝ่ายโยธา"}, {"ลำดับ": 2, "ชื่อฝ่าย": "ฝ่ายการคลัง"}])
        fill(book, "ตัวชี้วัด", [{"รหัสอ้างอิง": f"pa:{i}", "ประเภท": "ตัวชี้วัดคำรับรอง", "ชื่อตัวชี้วัด": f"ตัวชี้วัด {i}",
                                  "ฝ่ายที่รายงานผล": "ฝ่ายโยธา", "ลำดับ": i} for i in range(1, 61)])
        fill(book, "ค่าเป้าหมาย", [{"ตัวชี้วัด (รหัสอ้างอิง)": f"pa:{i}", "ลำดับ": 1, "ค่าเป้าหมาย": 80}
                                  for i in range(1, 61)])
        fill(book, "โครงการ", [{"รหัสอ้างอิง": f"p3:{i}", "ส่วนที่": 3, "ชื่อโครงการ": f"โครงการ {i}",
                                "งบประมาณ (บาท)": 1000 * i, "ฝ่ายที่รับผิดชอบ": "ฝ่ายการคลัง"} for i in range(1, 61)])
        fill(book, "ขั้นตอนการดำเนินงาน", [{"โครงการ (รหัสอ้างอิง)": "p3:1", "ขั้นที่": 1, "ขั้นตอน": "จัดซื้อ",
                                            "น้ำหนัก (ร้อยละ)": 100}])
    return edit(export_workbook(None, organization=organization), change)


@pytest.mark.django_db
def test_the_same_file_three_times_in_a_row(cast):
    data = district_workbook(cast.other_org)
    outcomes = [import_workbook(data, "bangkhae.xlsx", user=cast.other_planner, dry_run=dry)
                for dry in (True, False, False)]
    assert [problems(p) for p in outcomes] == [[], [], []]
    assert [sum(s.count("new") for s in p.sheets) for p in outcomes] == [184, 184, 0]
    assert outcomes[2].sheets and all(r.action == "skip" for s in outcomes[2].sheets for r in s.rows)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_file_at_the_same_moment(settings):
    """Two imports and a check of one district's file, and another district's file for
    the same new fiscal year, all started together, twice: each gets a real answer and
    the plan exists once."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    bangkhae = Organization.objects.create(short_name="สนข.บางแค", name="สำนักงานเขตบางแค", code="50400000",
                                           kind="district")
    nongkhaem = Organization.objects.create(short_name="สนข.หนองแขม", name="สำนักงานเขตหนองแขม", code="50410000",
                                            kind="district")
    planner = make_user("planner_bk", roles.PLANNER, bangkhae)
    other = make_user("planner_nk", roles.PLANNER, nongkhaem)
    for year in (2570, 2571):  # years no fixture has: the fiscal year is created too
        ours, theirs = district_workbook(bangkhae, year), district_workbook(nongkhaem, year)
        runs = [("import 1", ours, planner, False), ("import 2", ours, planner, False), ("check", ours, planner, True),
                ("other district", theirs, other, False)]
        results, start = {}, threading.Barrier(len(runs))

        def run(name, data, user, dry_run, results=results, start=start):
            try:
                start.wait()
                results[name] = problems(import_workbook(data, f"{name}.xlsx", user=user, dry_run=dry_run))
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=args) for args in runs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == {name: [] for name, *_rest in runs}, year
        plan = Plan.objects.get(organization=bangkhae, fiscal_year=year)
        assert Project.objects.filter(plan=plan).count() == 60
        assert Plan.objects.filter(organization=nongkhaem, fiscal_year=year).exists()


def refuse_inserts(table, message):
    """A real PostgreSQL trigger that refuses every new row of `table`: the database
    saying no for a reason the import cannot foresee (a full disk, a new constraint)."""
    with connection.cursor() as cursor:
        cursor.execute(f"""CREATE FUNCTION refuse_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
                           BEGIN RAISE EXCEPTION '{message}'; END $$""")
        cursor.execute(f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION refuse_{table}()")


@pytest.mark.django_db
def test_a_sheet_the_database_refuses_is_named_logged_and_the_other_sheets_checked(cast, caplog):
    refuse_inserts(WorkStep._meta.db_table, "no room for work steps")
    with caplog.at_level(logging.ERROR, logger="plandoc.workbook"):
        preview = import_workbook(district_workbook(cast.other_org), "แผนบางแค.xlsx", user=cast.other_planner,
                                  dry_run=False)
    steps = next(s for s in preview.sheets if s.name == "ขั้นตอนการดำเนินงาน")
    assert steps.errors == ["The database refused the data of this sheet (it breaks one of its rules); the "
                            "administrator has the details."]
    assert not any(UNEXPECTED in e for e in preview.errors)
    assert next(s for s in preview.sheets if s.name == "โครงการ").count("new") == 60  # checked all the same
    [record] = caplog.records
    assert "แผนบางแค.xlsx" in record.getMessage() and "ขั้นตอนการดำเนินงาน" in record.getMessage()
    assert record.exc_info and "no room for work steps" in str(record.exc_info[1])
    assert not Plan.objects.filter(organization=cast.other_org, fiscal_year=2570).exists()


@pytest.mark.django_db
def test_an_unexpected_error_is_logged_with_its_traceback_and_the_file_name(cast, caplog):
    refuse_inserts(Plan._meta.db_table, "no room for plans")
    with caplog.at_level(logging.ERROR, logger="plandoc.workbook"):
        preview = import_workbook(district_workbook(cast.other_org), "แผนบางแค.xlsx", user=cast.other_planner,
                                  dry_run=False)
    assert [e for e in preview.errors if UNEXPECTED in e]
    [record] = caplog.records
    assert "แผนบางแค.xlsx" in record.getMessage()
    assert record.exc_info and "no room for plans" in str(record.exc_info[1])
    assert "Traceback" in caplog.text
