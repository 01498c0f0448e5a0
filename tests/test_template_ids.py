"""Ids printed by a template are never localized: with USE_THOUSAND_SEPARATOR a report's
id 2630 came out as "2,630" in element ids, hidden form values and query strings (the
bulk-verify page lost its rows once ids passed 1,000)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
AN_ID = re.compile(r"\{\{\s*([a-z_][a-z0-9_.]*(?:\.pk|\.id|_id))\s*\}\}")


def test_every_id_a_template_prints_is_unlocalized():
    offenders = [f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
                 for path in TEMPLATES.rglob("*.html") for match in AN_ID.finditer(path.read_text(encoding="utf-8"))]
    assert not offenders, "print ids with |unlocalize:\n" + "\n".join(offenders)


def test_an_unlocalized_id_prints_without_a_separator(settings):
    from django.template import Context, Template

    settings.USE_THOUSAND_SEPARATOR = True
    template = Template("{% load l10n %}{{ pk }} {{ pk|unlocalize }}")
    assert template.render(Context({"pk": 2630})) == "2,630 2630"  # why the first test exists
