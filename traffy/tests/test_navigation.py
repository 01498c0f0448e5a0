"""The Traffy page in the main menu for those who may read it, and the import linked from
the page for those who may import (issue 16)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts import roles
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def menu_links(client, user) -> list[str]:
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    menu = re.search(r'<nav class="main".*?</nav>', html, re.S)
    return re.findall(r'href="([^"]+)"', menu.group(0)) if menu else []


def test_the_menu_offers_the_traffy_page_to_its_readers_only(client, cast):
    traffy = reverse("traffy:index")
    for user in (cast.staff, cast.head, cast.planner, cast.executive, cast.administrator,
                 make_user("city", roles.CITY_EXECUTIVE)):
        assert traffy in menu_links(client, user), user
    # Signed in with no organization and no role that reads every organization's: no link.
    assert traffy not in menu_links(client, make_user("nobody"))


def test_the_menus_link_leads_to_ones_own_page_or_the_list_of_districts(client, cast):
    client.force_login(cast.staff)
    assert client.get(reverse("traffy:index"))["Location"] == reverse("traffy:organization", args=[cast.org.pk])
    client.force_login(make_user("city", roles.CITY_EXECUTIVE))
    response = client.get(reverse("traffy:index"))
    assert response.status_code == 200 and reverse("traffy:organization", args=[cast.org.pk]) in response.content.decode()


def test_the_page_links_the_import_for_those_who_may_import(client, cast):
    page = reverse("traffy:organization", args=[cast.org.pk])
    link = f'{reverse("traffy-import")}?organization={cast.org.pk}'
    for user in (cast.planner, cast.administrator):
        client.force_login(user)
        assert f'href="{link}"' in client.get(page).content.decode(), user
    # The administrator, who imports into any district, finds this one chosen.
    assert f'<option value="{cast.org.pk}" selected>' in client.get(link).content.decode()
    for user in (cast.staff, cast.executive, make_user("city", roles.CITY_EXECUTIVE)):
        client.force_login(user)
        assert 'id="traffy-import"' not in client.get(page).content.decode(), user
