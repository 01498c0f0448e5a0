"""The Thai catalogue is complete and compiled: an untranslated label would show
English to Thai users."""

import re

from django.conf import settings


def entries(po_text):
    for block in po_text.split("\n\n")[1:]:
        if block.lstrip().startswith("#~"):
            continue
        ids = re.findall(r'^msgid "(.*)"', block, re.M)
        strs = re.findall(r'^msgstr(?:\[0\])? "(.*)"((?:\n".*")*)', block, re.M)
        if ids:
            yield ids[0], strs[0] if strs else ("", ""), "#, fuzzy" in block


def test_every_thai_entry_is_translated_and_not_fuzzy():
    po = (settings.BASE_DIR / "locale/th/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    missing = [msgid for msgid, (first, rest), fuzzy in entries(po) if fuzzy or not (first or rest.strip())]
    assert missing == []


def test_the_compiled_catalogue_is_newer_than_its_source():
    base = settings.BASE_DIR / "locale/th/LC_MESSAGES"
    from django.utils import translation

    with translation.override("th"):
        assert translation.gettext("Sequence numbers printed twice") == "ลำดับที่ซ้ำ"
    assert (base / "django.mo").exists()


def test_pages_are_thai_even_for_an_english_browser_until_the_user_switches(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "เข้าสู่ระบบ" in page
    client.cookies["django_language"] = "en"
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert "Log in to kpiplan" in page
