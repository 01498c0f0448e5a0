"""The admin speaks Thai: every app, model and field of ours has a Thai label (and an
English one in English), roles are shown by their Thai label while the groups keep
their code names, and the user form's help texts are Thai."""

import html as html_module
import re

import pytest
from django.apps import apps
from django.utils import translation

from accounts import roles

THAI = re.compile("[\u0e00-\u0e7f]")
OURS = {"kpiplan", "accounts", "plans", "indicators", "projects", "progress", "reports", "plandoc", "api"}


def _labels():
    """(where, text) of every app name, model name, field label and help text of ours.
    simple-history's through tables of many-to-many history (no admin, no page) are left
    out: their names are made from the class name. So are the fields Django and
    simple-history add themselves with plain English names (the id, history_*), which
    the admin shows nowhere: our history pages list the changes in words."""
    for config in apps.get_app_configs():
        if config.label not in OURS:
            continue
        yield config.label, config.verbose_name
        for model in config.get_models():
            if any(f.name == "m2m_history_id" for f in model._meta.fields):
                continue
            yield model._meta.label, model._meta.verbose_name
            yield model._meta.label + " (plural)", model._meta.verbose_name_plural
            for field in model._meta.get_fields():
                if not field.concrete or field.auto_created or field.name.startswith("history_"):
                    continue
                yield f"{model._meta.label}.{field.name}", field.verbose_name
                if field.help_text:
                    yield f"{model._meta.label}.{field.name} help", field.help_text


def test_every_label_is_thai_in_thai():
    with translation.override("th"):
        english = [(where, str(text)) for where, text in _labels() if not THAI.search(str(text))]
    assert english == []


def test_no_label_is_thai_in_english():
    with translation.override("en"):
        thai = [(where, str(text)) for where, text in _labels() if THAI.search(str(text))]
    assert thai == []


def _visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return [html_module.unescape(t).strip() for t in re.split(r"<[^>]+>", html) if t.strip()]


@pytest.mark.django_db
def test_roles_are_listed_by_their_thai_label_and_keep_their_code_names(client, cast):
    client.force_login(cast.administrator)
    listing = client.get("/admin/auth/group/").content.decode()
    assert "ผู้จัดทำแผน" in listing and "เจ้าหน้าที่ฝ่าย" in listing
    form = client.get(f"/admin/auth/user/{cast.staff.pk}/change/").content.decode()
    options = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', form.split('name="groups"')[1].split("</select>")[0])
    with translation.override("th"):
        assert sorted(options) == sorted(roles.role_label(name) for name in roles.ROLE_LABELS)
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLE_LABELS)


@pytest.mark.django_db
def test_the_user_add_form_has_no_english_text(client, cast):
    client.force_login(cast.administrator)
    page = client.get("/admin/auth/user/add/").content.decode()
    english = [t for t in _visible_text(page) if re.search("[A-Za-z]{3}", t) and not THAI.search(t)]
    # the logged-in user's own name is the only Latin text left
    assert english == [cast.administrator.username]
