"""The OpenAPI document: served to logged-in users only, valid, complete, generated without warnings."""

import json

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/plans/",
    "/api/plans/{id}/",
    "/api/indicators/",
    "/api/indicators/{id}/",
    "/api/indicators/{id}/status/",
    "/api/projects/",
    "/api/projects/{id}/",
    "/api/projects/{id}/s-curve/",
    "/api/progress/",
    "/api/progress/{id}/",
]


def test_the_schema_is_a_valid_openapi_3_document_with_every_endpoint(client, cast):
    client.force_login(cast.staff)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    validate_schema(document)  # against the OpenAPI 3 JSON schema shipped with drf-spectacular
    for path in PATHS:
        assert path in document["paths"], path
        assert "get" in document["paths"][path]
        assert set(document["paths"][path]) <= {"get", "parameters"}, f"{path} is read-only"


def test_the_schema_documents_filters_and_the_status_period(client, cast):
    client.force_login(cast.planner)
    document = json.loads(client.get("/api/schema/", {"format": "json"}).content)

    def params(path):
        return {p["name"]: p for p in document["paths"][path]["get"].get("parameters", [])}

    assert {"plan", "kind", "limit", "offset"} <= set(params("/api/indicators/"))
    assert {"plan", "section", "division"} <= set(params("/api/projects/"))
    assert {"plan", "period"} <= set(params("/api/progress/"))
    assert params("/api/indicators/{id}/status/")["period"]["required"] is True


def test_anonymous_users_are_refused_the_schema_and_the_docs(client):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (401, 403)


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")
