"""One vocabulary for a progress report everywhere (docs/vocabulary.md): the web form, its
messages, the progress sheet, the report history and the Thai catalogue call the reported
number «ผลการดำเนินงาน» and the narrative «สิ่งที่ดำเนินการ». «ผลลัพธ์» is kept for the
indicator type Outcome and for OKR key results (ผลลัพธ์สำคัญ)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from progress import sheet
from progress.forms import ProgressForm
from progress.models import ProgressEntry
from progress.services import Item

RESULT, NARRATIVE, OBSTACLES, CUMULATIVE = "ผลการดำเนินงาน", "สิ่งที่ดำเนินการ", "ปัญหาอุปสรรค", "ค่าสะสม"
# «ผลลัพธ์» is right only as the indicator type or an OKR key result.
RESERVED_USES = re.compile(r"ผลลัพธ์(?= \(Outcome\)|สำคัญ|หลัก)")


def test_the_glossary_names_the_words():
    glossary = (Path(settings.BASE_DIR) / "docs" / "vocabulary.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in glossary.splitlines()
            if line.startswith("| ") and not line.startswith("| Thai")}
    assert rows[RESULT] == "Result" and rows[NARRATIVE] == "What was done"
    assert rows[OBSTACLES] == "Obstacles" and rows[CUMULATIVE] == "Cumulative"


def test_the_sheet_headers_are_the_glossary_words():
    assert (sheet.VALUE, sheet.NARRATIVE, sheet.OBSTACLES, sheet.CUMULATIVE) == (RESULT, NARRATIVE, OBSTACLES, CUMULATIVE)


@pytest.mark.django_db
def test_the_form_and_the_history_use_the_glossary_words(lamp_item):
    with translation.override("th"):
        form = ProgressForm(item=lamp_item)
        labels = {name: str(field.label) for name, field in form.fields.items()}
        assert labels["value"] == f"{RESULT} (ดวง)"
        assert labels["narrative"] == NARRATIVE and labels["obstacles"] == OBSTACLES
        assert CUMULATIVE in labels["value_is_cumulative"] and RESULT in labels["value_is_cumulative"]
        bare = ProgressForm(item=Item("indicator", type(lamp_item.obj)(name="x", unit="")))
        assert str(bare.fields["value"].label) == RESULT
        # The report history names fields by the model's verbose names.
        names = {f.name: str(f.verbose_name) for f in ProgressEntry._meta.get_fields() if hasattr(f, "verbose_name")}
        assert (names["value"], names["narrative"], names["obstacles"]) == (RESULT, NARRATIVE, OBSTACLES)
        assert CUMULATIVE in names["value_is_cumulative"]


def _msgstrs(path: Path) -> list[tuple[str, str]]:
    """(msgid, msgstr) of the active entries, continuation lines joined."""
    text = path.read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        joined = "\n".join(lines)
        msgid = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', joined.split("msgstr")[0])) if "msgid" in joined else ""
        msgstr = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', joined.split("msgstr", 1)[1])) if "msgstr" in joined else ""
        entries.append((msgid, msgstr))
    return entries


def test_no_thai_translation_calls_the_result_ผลลัพธ์():
    wrong = [(msgid, msgstr) for msgid, msgstr in
             _msgstrs(Path(settings.BASE_DIR) / "locale" / "th" / "LC_MESSAGES" / "django.po")
             if "ผลลัพธ์" in RESERVED_USES.sub("", msgstr)]
    assert not wrong, wrong


def test_no_template_calls_the_result_ผลลัพธ์():
    wrong = [str(path) for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
             if "ผลลัพธ์" in RESERVED_USES.sub("", path.read_text(encoding="utf-8"))]
    assert not wrong, wrong


@pytest.mark.django_db
def test_a_sheet_with_the_old_cumulative_header_still_imports(cast, period, lamp_item):
    """Sheets downloaded before the header became «ค่าสะสม» said «ผลสะสม»."""
    import io

    import openpyxl

    from progress.resources import read_rows

    book = openpyxl.Workbook()
    book.active.append([sheet.KIND, sheet.CODE, sheet.PERIOD, sheet.VALUE, "ผลสะสม", sheet.NARRATIVE])
    book.active.append(["ตัวชี้วัด", lamp_item.obj.key, "ธันวาคม 2566", "5", "ไม่ใช่", "ติดตั้งโคมไฟ"])
    data = io.BytesIO()
    book.save(data)
    preview, rows = read_rows(data.getvalue(), "old.xlsx")
    assert not preview.has_errors and rows[0].values["value_is_cumulative"] is False
