"""Division staff and heads on a phone (issue 14): every page they use fits 360, 390 and
414 px without sideways scrolling, with a full-page screenshot of each; the header's
links fold into a "เมนู" disclosure that opens without JavaScript and whose links work
by mouse and keyboard, while a laptop still shows them in a row."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import roles
from indicators.models import Indicator
from kpiplan.tests.test_images import phone_photo
from plans.models import Division, Organization, Period, Plan
from progress.services import Item, entry_save, entry_submit, evidence_add
from projects.models import Project
from tests.browser.pages import login, norm
from tests.browser.test_progress_sheet import typed
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (360, 390, 414)


@pytest.fixture
def arranged(transactional_db, settings, media_root):
    """ฝ่ายโยธา in December: drain cleaning submitted with a camera photo (the head has
    something to approve), the lamps a complete draft (staff have something to submit)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = Organization.objects.get(short_name="สนข.ภาษีเจริญ")
    plan = Plan.objects.get(organization=org, fiscal_year=2567)
    division = Division.objects.get(organization=org, name="ฝ่ายโยธา")
    staff = make_user("staff", roles.DIVISION_STAFF, org, division)
    make_user("head", roles.DIVISION_HEAD, org, division)
    period = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    road = Indicator.objects.get(plan=plan, key="okr:1.4.06")
    lamps = Indicator.objects.get(plan=plan, key="okr:1.1.03")
    canal = Project.objects.get(plan=plan, key="p2:1.7.1")
    entry = entry_save(user=staff, plan=plan, period=period, item=Item("indicator", road),
                       data={"value": Decimal(120), "narrative": "ล้างท่อระบายน้ำซอยเพชรเกษม ๔๘"}, version=None)
    evidence_add(user=staff, entry=entry, upload=SimpleUploadedFile("IMG_20231214_093015.jpg", phone_photo((1600, 1200))))
    entry.refresh_from_db()
    entry_submit(user=staff, entry=entry, version=entry.version)
    entry_save(user=staff, plan=plan, period=period, item=Item("indicator", lamps),
               data={"value": Decimal(7), "narrative": "ติดตั้งไฟริมคลองบางกอกใหญ่"}, version=None)
    return {"period": period, "road": road, "canal": canal}


def pages(arranged, role):
    p, road, canal = arranged["period"].pk, arranged["road"].pk, arranged["canal"].pk
    bulk = ("submit-all", f"/work/{p}/submit-all/") if role == "staff" else ("approve-all", f"/work/{p}/approve-all/")
    return [
        ("home", "/"),
        ("my-work", f"/work/?period={p}"),
        ("entry-indicator", f"/work/{p}/indicator/{road}/"),
        ("entry-project", f"/work/{p}/project/{canal}/"),
        ("my-reports", "/reports/files/"),
        ("import", "/work/import/"),
        bulk,
        ("search", "/search/?q=ถนน"),
        ("indicator", f"/indicators/{road}/"),
        ("project", f"/projects/{canal}/"),
        ("notices", "/notices/"),
    ]


def shots():
    folder = Path(os.environ.get("KPIPLAN_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "test-artifacts"
                  / "screenshots") / "phone"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("role", ["staff", "head"])
def test_every_page_of_staff_and_heads_fits_a_phone(arranged, new_context, role):
    folder = shots()
    page = login(new_context, role)
    for name, url in pages(arranged, role):
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            response = page.goto(url)
            assert response.status == 200, f"{role} {name}: {response.status}"
            page.screenshot(path=str(folder / f"{role}-{name}-{width}.png"), full_page=True)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{role}: {name} at {width} px is {scroll} px wide"
            if name == "my-work":  # each report's state is on screen, not behind a sideways scroll
                state = page.locator("table.work tbody tr").first.locator("span.state").bounding_box()
                assert state["x"] + state["width"] <= width, f"{role}: my work's state at {width} px"
            # The bell stays on screen beside the menu button (not folded into the menu).
            bell = page.locator("#bell").bounding_box()
            assert bell and bell["x"] + bell["width"] <= width, f"{role}: {name} bell at {width} px"
            # The header is one line of brand and menu plus the search box, not a screenful.
            assert page.locator("header.top").bounding_box()["height"] < 120, f"{role}: {name} header at {width} px"


def test_the_progress_sheet_preview_fits_a_phone(arranged, new_context, tmp_path):
    page = login(new_context, "staff")
    page.goto(f"/work/?period={arranged['period'].pk}")
    with page.expect_download() as download:
        page.click("#download-sheet")
    filled = tmp_path / "ผลงานฝ่ายโยธา-ธค66.xlsx"
    filled.write_bytes(typed(open(download.value.path(), "rb").read(),
                             {"okr:1.1.03": ("๑๒", "ติดตั้งไฟริมคลองบางกอกใหญ่ช่วงวัดนวลนรดิศ"),
                              "okr:1.3.07": ("หนึ่ง", "ตัวเลขผิด")}))
    page.goto("/work/import/")
    page.set_input_files("#id_file", str(filled))
    with page.expect_navigation():
        page.click("button[value=preview]")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(shots() / f"staff-import-preview-{width}.png"), full_page=True)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"the sheet's preview at {width} px is {scroll} px wide"


def test_the_phone_menu_opens_and_its_links_work(arranged, new_context):
    page = login(new_context, "head")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/")
    menu = page.locator("header details.menu")
    my_work = page.get_by_role("link", name="งานของฉัน", exact=True)
    assert menu.locator("summary").is_visible() and norm(menu.locator("summary").inner_text()).startswith("เมนู")
    assert not my_work.is_visible() and not page.get_by_role("button", name="ออกจากระบบ").is_visible()

    menu.locator("summary").click()
    assert my_work.is_visible() and page.get_by_role("button", name="ออกจากระบบ").is_visible()
    page.screenshot(path=str(shots() / "menu-open-390.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_navigation():
        my_work.click()
    assert page.url.endswith("/work/")

    # By keyboard: the summary takes the focus, Enter opens it, Tab reaches the links.
    page.goto("/")
    page.locator("header details.menu summary").focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("open") is not None
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert norm(focused) == "งานของฉัน"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/work/")


def test_on_a_laptop_the_links_stand_in_the_header(arranged, new_context):
    page = login(new_context, "staff")  # 1280 px wide
    assert not page.locator("header details.menu summary").is_visible()
    for name in ("งานของฉัน", "รายงานของฉัน", "โครงการ"):
        assert page.get_by_role("link", name=name, exact=True).is_visible(), name
    assert page.get_by_role("button", name="ออกจากระบบ").is_visible()
    assert page.locator("header.top").bounding_box()["height"] < 120


def test_the_entry_context_folds_on_a_phone_and_last_periods_words_can_be_copied(arranged, new_context):
    """The entry page's context (issue 14) sits below the form in closed disclosures on a
    phone, so the number box is on the first screen, and beside it, open, on a laptop;
    «ใช้ข้อความงวดก่อน» puts November's «สิ่งที่ดำเนินการ» into the box (asking first,
    since the draft has words of its own)."""
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.get(username="staff")
    lamps = Indicator.objects.get(key="okr:1.1.03", plan__fiscal_year=2567, plan__organization__short_name="สนข.ภาษีเจริญ")
    november = Period.objects.get(fiscal_year_id=2567, kind="month", number=2)
    entry = entry_save(user=staff, plan=lamps.plan, period=november, item=Item("indicator", lamps),
                       data={"value": Decimal(3), "narrative": "ติดตั้งไฟซอยเพชรเกษม ๕๔"}, version=None)
    entry_submit(user=staff, entry=entry, version=entry.version)
    page = login(new_context, "staff")
    url = f"/work/{arranged['period'].pk}/indicator/{lamps.pk}/"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(url)
        assert page.locator("#id_value").bounding_box()["y"] < 800, f"the number box is below the first screen at {width} px"
        assert page.locator("details#earlier").get_attribute("open") is None
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"the opened context at {width} px is {scroll} px wide"
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#use-previous")
    assert page.input_value("#id_narrative") == "ติดตั้งไฟซอยเพชรเกษม ๕๔"
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(url)
    assert page.locator("details#earlier").get_attribute("open") is not None
    page.screenshot(path=str(shots() / "staff-entry-context-1366.png"), full_page=True)
