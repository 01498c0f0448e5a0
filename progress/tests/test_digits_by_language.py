"""Digits and month names follow the reader's language (docs/vocabulary.md): a page in Thai
writes Thai digits, a page in English Arabic digits and English month names; PDFs are
Thai whoever asks. Rendered as signed-in users, the way they read the pages."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from kpiplan.lib.thai import to_thai_digits
from plans.models import Period
from progress.services import entry_save, entry_submit

pytestmark = pytest.mark.django_db

THAI_DIGIT = re.compile("[๐-๙]")
ARABIC_DIGIT = re.compile("[0-9]")
PLAIN_NUMBER = re.compile(r"^[+-]?[0-9๐-๙,]*(\.[0-9๐-๙]+)?%?$")
MONTHS_TH = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
             "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม", "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
             "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")


class _VisibleText(HTMLParser):
    """The text a reader sees: text nodes outside <script>, <style>, <template> and
    <textarea> (a textarea holds what the user typed). Attributes are not text."""

    HIDDEN = {"script", "style", "template", "textarea", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(response) -> str:
    parser = _VisibleText()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", " ".join(parser.parts))


# Fields that hold an identifier of the plan (an outline number «7.1», a code «OKR 4.1.10»).
CODE_FIELDS = {"code", "sequence", "number", "strategy_code", "key"}


def typed_texts() -> tuple[list[str], list[str]]:
    """What people typed into the system and the system shows as typed (docs/vocabulary.md):
    text with a digit (names, units, targets as printed, report narratives, user names),
    and the plan's identifiers (codes, outline numbers). Longest first, so a name is
    taken out whole before a code inside it."""
    texts: set[str] = set()
    codes: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in {"plans", "indicators", "projects", "progress", "accounts", "auth"}:
            continue
        if model._meta.model_name.startswith("historical"):
            continue
        for f in model._meta.concrete_fields:
            if not isinstance(f, (models.CharField, models.TextField)) or f.choices:
                continue
            values = (model.objects.exclude(**{f.name: ""}).filter(**{f"{f.name}__regex": r"[0-9๐-๙]"})
                      .values_list(f.name, flat=True).distinct())
            for value in values:
                value = re.sub(r"\s+", " ", value).strip()
                if f.name in CODE_FIELDS:
                    codes.add(value)
                # A bare number («5», «1,250») is not taken out: it would take the
                # system's own digits with it.
                elif len(value) > 2 and not PLAIN_NUMBER.match(value):
                    texts.add(value)
    return sorted(texts, key=len, reverse=True), sorted(codes, key=len, reverse=True)


def without_typed(text: str, typed: tuple[list[str], list[str]]) -> str:
    texts, codes = typed
    for value in texts:
        if value in text:
            text = text.replace(value, " ")
    for code in codes:  # whole identifiers only: «7.1» but not the 7 of «7.15 กม.»
        text = re.sub(rf"(?<![\w.,]){re.escape(code)}(?![\w]|[.,]\w)", " ", text)
    return text


def offending(text: str, pattern: re.Pattern) -> list[str]:
    return [text[max(0, m.start() - 30): m.end() + 30] for m in pattern.finditer(text)]


@pytest.fixture
def reported(cast, real_plan, period, lamp_item):
    """One report saved with 50 lamps and submitted, so the pages have a result to show."""
    entry = entry_save(user=cast.staff, plan=real_plan, period=period, item=lamp_item,
                       data={"value": Decimal("50"), "value_is_cumulative": True, "narrative": "ติดตั้งโคมไฟ"}, version=0)
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    return lamp_item


def pages(cast, period, item):
    """(user, url) of the main pages."""
    return [
        (cast.staff, reverse("home")),
        (cast.staff, reverse("progress:my-work") + f"?period={period.pk}"),
        (cast.staff, reverse("progress:entry", args=[period.pk, item.kind, item.obj.pk])),
        (cast.planner, reverse("progress:status") + f"?period={period.pk}"),
        (cast.planner, reverse("progress:completeness") + f"?period={period.pk}"),
        (cast.planner, reverse("reports:dashboard") + f"?period={period.pk}"),
        (cast.planner, reverse("progress:indicator", args=[item.obj.pk])),
    ]


def test_thai_pages_write_thai_digits(client, cast, period, reported):
    """The rule: in the visible text (text nodes outside script, style, title and
    textarea; form values are attributes, so what the user typed is not read), after
    taking out what people typed (typed_texts: names, targets as printed, narratives
    holding a digit; the plan's codes and outline numbers as whole words), no Arabic
    digit is left. Everything else on the page the system wrote, so it follows the
    language. A one-digit outline number («ยุทธศาสตร์ 3») is taken out wherever it stands
    alone, so the rule cannot see a lone system digit; the value box, «ส่วนที่ ๑» and
    the units are checked by name in the tests below and in test_vocabulary."""
    typed = typed_texts()
    problems = {}
    for user, url in pages(cast, period, reported):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        found = offending(without_typed(visible_text(response), typed), ARABIC_DIGIT)
        if found:
            problems[url] = found
    assert not problems, problems


def test_english_pages_write_arabic_digits_and_english_months(client, cast, period, reported):
    typed = typed_texts()
    client.cookies["django_language"] = "en"
    problems = {}
    for user, url in pages(cast, period, reported):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        text = without_typed(visible_text(response), typed)
        found = offending(text, THAI_DIGIT) + [m for m in MONTHS_TH if m in text]
        if found:
            problems[url] = found
    assert not problems, problems


def test_the_value_box_shows_the_saved_number_in_the_page_digits(client, cast, period, lamp_item):
    """Typed in Arabic digits, shown back after saving as ๑,๒๕๐ in Thai, 1,250 in English."""
    client.force_login(cast.staff)
    url = reverse("progress:entry", args=[period.pk, lamp_item.kind, lamp_item.obj.pk])
    response = client.post(url, {"action": "save", "version": "0", "value": "1250", "narrative": "ติดตั้งโคมไฟ",
                                 "implausible_confirmed": "on", "implausible_note": "นับรวมโคมที่ซ่อม"})
    assert response.status_code == 302, visible_text(response)
    page = client.get(url).content.decode()
    assert re.search(r'name="value"[^>]*value="๑,๒๕๐"', page)
    client.cookies["django_language"] = "en"
    page = client.get(url).content.decode()
    assert re.search(r'name="value"[^>]*value="1,250"', page)


def test_my_work_targets_carry_their_unit(client, cast, period):
    """A project's target is its budget: in baht, written so; an indicator's in its unit."""
    client.force_login(cast.staff)
    text = visible_text(client.get(reverse("progress:my-work") + f"?period={period.pk}"))
    assert "ติดตั้งไฟฟ้าแสงสว่างริมคลอง" in text
    budgets = re.findall(r"โครงการ/กิจกรรม ([๐-๙,.]+) (\S+)", text)
    assert budgets and all(unit == "บาท" for _number, unit in budgets), budgets
    assert "- บาท" not in text  # no budget, no unit


@pytest.fixture
def capture_pdf_html(monkeypatch):
    """The HTML WeasyPrint is given (no PDF text extractor is installed): the PDF still
    gets made, this only keeps a copy of what it is made from."""
    import reports.pdf

    seen: list[str] = []
    real = reports.pdf.HTML

    def keeping(*args, string=None, **kwargs):
        seen.append(string)
        return real(*args, string=string, **kwargs)

    monkeypatch.setattr(reports.pdf, "HTML", keeping)
    return seen


class _Response:
    def __init__(self, html):
        self.content = html.encode()


def test_a_pdf_asked_for_in_english_is_thai(client, cast, reported, capture_pdf_html):
    quarter = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    client.force_login(cast.planner)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("reports:quarterly-pdf") + f"?period={quarter.pk}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = visible_text(_Response(capture_pdf_html[-1]))
    assert "ยังไม่รายงาน" in text and "Not reported" not in text  # status words
    assert "สิ่งที่ดำเนินการ / ปัญหาอุปสรรค" in text
    assert not offending(without_typed(text, typed_texts()), ARABIC_DIGIT)


def test_an_xlsx_asked_for_in_english_is_thai(client, cast, reported):
    import io

    import openpyxl

    quarter = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    client.force_login(cast.planner)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("reports:quarterly-xlsx") + f"?period={quarter.pk}")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = {str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None}
    assert "ยังไม่รายงาน" in cells and "Not reported" not in cells


def test_the_part_of_the_plan_is_numbered_in_the_page_digits(client, cast, real_plan):
    """«ส่วนที่ ๑» on a project's page in Thai (it read «ส่วนที่ 1»), "Part 1" in English."""
    from projects.models import Project

    project = Project.objects.filter(plan=real_plan, section=Project.Section.PART1).first()
    client.force_login(cast.planner)
    url = reverse("projects:detail", args=[project.pk])
    assert "ส่วนที่ ๑: แผนของกรุงเทพมหานคร" in visible_text(client.get(url))
    client.cookies["django_language"] = "en"
    assert "Part 1: BMA plan" in visible_text(client.get(url))


def test_my_work_shows_the_districts_target_with_the_citys_beside_it(client, cast, period):
    """OKR 1.1.03 prints the city's 10,500 lamps; the district's share is 70, as the entry
    and status pages say: the division works to 70."""
    from indicators.models import Indicator
    from progress.status import main_target

    lamps = Indicator.objects.get(plan=cast.plan, key="okr:1.1.03")
    district = main_target(lamps)
    assert district is not None and district < 10500
    client.force_login(cast.staff)
    text = visible_text(client.get(reverse("progress:my-work") + f"?period={period.pk}"))
    row = re.search(r"ติดตั้งไฟฟ้าแสงสว่างริมคลอง.*?(?=OKR|$)", text, re.S).group(0)
    assert f"{to_thai_digits(f'{district:,.0f}')} ดวง" in row
    assert "เป้าหมาย กทม.: ๑๐,๕๐๐ ดวง" in row
