"""Every integer query parameter of every API endpoint, from the API's own OpenAPI
schema (so a new endpoint or filter is covered without a test of its own), given values
a client may send by mistake or on purpose; used by api/tests/test_integer_params.py on
PostgreSQL (in the test process) and on SQLite (in a fresh process:
`DATABASE_URL=sqlite:///… python tests/api_params.py`, prints one JSON line).

An id out of range, negative, zero or not a number must give 400 with a message that
names the value; ?limit and ?offset follow DRF (a bad value gives the default page) and
never reach the database out of range. Nothing may give a 500."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

BAD = ["-36893488147419103233", "99999999999999999999", "9223372036854775808", "-1", "0", "abc", "1e3", "๑๒x"]
PAGING = {"limit", "offset"}


def _json(response) -> dict:
    try:
        return response.json()
    except ValueError:  # a 500 page
        return {}


def probe(client, valid: dict[str, int]) -> dict:
    """{"checked": [(path, param, value, status)], "wrong": [...]} for every list endpoint
    and every detail endpoint (filled with the first id its list returns)."""
    schema = client.get("/api/schema/", {"format": "json"}).json()
    checked, wrong, paths = [], [], []
    for template, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        paths.append(template)
        params = [p for p in operations["get"].get("parameters", [])
                  if p["in"] == "query" and p.get("schema", {}).get("type") == "integer"]
        path = template
        if "{" in template and params:
            listed = _json(client.get(template.split("{", 1)[0], {"limit": 1}))
            if not listed.get("results"):
                wrong.append((template, "", "", "no row to fill the path with"))
                continue
            path = template.replace("{id}", str(listed["results"][0]["id"]))
        required = {p["name"]: valid[p["name"]] for p in params if p.get("required")}
        for param in params:
            name = param["name"]
            for value in BAD:
                response = client.get(path, {**required, name: value})
                checked.append((template, name, value, response.status_code))
                if name in PAGING:
                    ok = response.status_code == 200 and len(_json(response).get("results", [])) <= 1000
                else:
                    body = _json(response) if response.status_code == 400 else {}
                    ok = any(value[:40] in message for message in body.get(name, []))
                if not ok:
                    wrong.append((template, name, value, response.status_code, response.content[:200].decode(errors="replace")))
            huge = client.get(path, {**required, name: "99999999999999999999"}) if name == "limit" else None
            if huge is not None and huge.status_code == 200 and "count" in _json(huge):
                if len(_json(huge)["results"]) != min(_json(huge)["count"], 1000):
                    wrong.append((template, name, "99999999999999999999", "page not capped at 1000"))
    return {"paths": paths, "checked": checked, "wrong": wrong}


def main() -> dict:
    """On whatever database DATABASE_URL names, with the real plan loaded."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiplan.settings")
    import django

    django.setup()
    import logging

    from django.test import Client

    from accounts import roles
    from plans.models import Division, Period, Plan
    from tests.factories import make_user

    logging.disable(logging.CRITICAL)  # the 500s, if any, are counted, not printed
    plan = Plan.objects.select_related("organization").get(organization__short_name="สนข.ภาษีเจริญ")
    planner = make_user("params_planner", roles.PLANNER, plan.organization)
    client = Client(raise_request_exception=False)
    client.force_login(planner)
    return probe(client, valid_ids(plan, Period, Division))


def valid_ids(plan, period_model, division_model) -> dict[str, int]:
    period = period_model.objects.get(fiscal_year_id=plan.fiscal_year_id, kind="quarter", number=1)
    division = division_model.objects.filter(organization=plan.organization).order_by("pk").first()
    return {"plan": plan.pk, "period": period.pk, "division": division.pk}


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False), flush=True)
