"""The API's documentation pages work offline: Swagger UI and ReDoc come from the
drf-spectacular-sidecar package through our static files, never from a CDN."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

URL_ATTRIBUTES = re.compile(r'(?:src|href|spec-url)="([^"]*)"')


def external(urls):
    return [u for u in urls if re.match(r"(?i)^(https?:)?//", u)]


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_docs_page_names_no_other_host_and_its_files_are_ours(client, cast, path):
    client.force_login(cast.planner)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    urls = URL_ATTRIBUTES.findall(html)
    assert external(urls) == []
    assert not re.search(r"(?i)https?://(?!kpiplan)", html), "an absolute address to another host"
    assert "<style" not in html and not re.search(r"<script>", html), "inline code the CSP refuses"
    statics = [u for u in urls if u.startswith("/static/")]
    assert any("drf_spectacular_sidecar" in u for u in statics)
    for url in statics:
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a file of ours"


def test_swagger_ui_settings_come_as_a_script_of_their_own(client, cast):
    client.force_login(cast.planner)
    html = client.get("/api/docs/").content.decode()
    script = re.search(r'<script src="(/api/docs/\?[^"]*)"', html).group(1).replace("&amp;", "&")
    response = client.get(script)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()


def test_the_docs_need_a_login(client):
    assert client.get("/api/docs/").status_code in (401, 403)
