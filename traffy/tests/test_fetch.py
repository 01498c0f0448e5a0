"""`manage.py traffy_fetch` against a fake Traffy API on 127.0.0.1 that serves pages
recorded in the API's shape (traffy/tests/data/api/, written by make_api_pages.py):
never the network."""

import gzip
import io
import json
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from plans.models import Organization
from traffy.models import Batch, Ticket, TicketState

PAGES = Path(__file__).parent / "data" / "api"
BANGKOK = ZoneInfo("Asia/Bangkok")
OUR_SPELLINGS = {"ภาษีเจริญ", "เขตภาษีเจริญ", "Phasi Charoen"}


def recorded(name: str) -> dict:
    path = PAGES / name
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


class FakeTraffy:
    """Answers GET ?start=…&offset=… from a script: each (start, offset) has a list of
    answers given in turn, the last one repeating; a day not scripted has no tickets."""

    def __init__(self):
        self.script: dict[tuple[str, int], list] = {}
        self.log: list[dict] = []

    def serve(self, start: str, offset: int, *answers):
        self.script[(start, offset)] = list(answers)

    def params(self) -> list[dict]:
        return [entry["params"] for entry in self.log]

    def answer(self, params: dict):
        answers = self.script.get((params.get("start"), int(params.get("offset", 0))))
        if not answers:
            return 200, {}, {"status": "success", "total": 0, "type": "FeatureCollection", "features": []}
        return answers.pop(0) if len(answers) > 1 else answers[0]


def ok(page: dict):
    return 200, {}, page


def make_handler(fake: FakeTraffy):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            params = dict(parse_qsl(urlsplit(self.path).query))
            fake.log.append({"params": params, "user_agent": self.headers.get("User-Agent", ""), "at": time.monotonic()})
            status, headers, body = fake.answer(params)
            if status == "hang":  # answer only after the client has given up waiting
                time.sleep(headers)
                status, headers, body = 200, {}, body
            data = json.dumps(body, ensure_ascii=False).encode() if isinstance(body, dict) else body.encode()
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json" if isinstance(body, dict) else "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def api(settings):
    settings.TRAFFY_API_BACKOFF = 0.01
    settings.TRAFFY_API_PAUSE = 0
    settings.TRAFFY_API_TIMEOUT = 5
    settings.TRAFFY_API_ATTEMPTS = 3
    fake = FakeTraffy()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_port}/teamchadchart-stat-api/geojson/v1"
    yield fake
    server.shutdown()
    server.server_close()


def fetch(api, since, until, organization="สนข.ภาษีเจริญ") -> str:
    out = io.StringIO()
    call_command("traffy_fetch", organization=organization, since=since, until=until, base_url=api.url, stdout=out)
    return out.getvalue()


def request(day, offset=0):
    return {"start": day, "end": day, "limit": "1000", "offset": str(offset), "sort": "ASC"}


def serve_three_days(api):
    api.serve("2024-01-05", 0, ok(recorded("2024-01-05_offset0.json.gz")))  # 1,000 features, total 0
    api.serve("2024-01-05", 1000, ok(recorded("2024-01-05_offset1000.json")))  # 7, the last page
    api.serve("2024-01-06", 0, ok(recorded("2024-01-06_total0.json")))  # 5 features, total 0
    api.serve("2024-01-07", 0, (500, {}, "<h1>Internal Server Error</h1>"), ok(recorded("2024-01-07.json")))


# Of the 1,015 features served for 5-7 January, 135 are Phasi Charoen's (125 + 4 + 3 + 3),
# written "ภาษีเจริญ", "เขตภาษีเจริญ" or "Phasi Charoen"; 880 are other districts'.


@pytest.mark.django_db
def test_it_pages_each_day_until_a_short_page_and_keeps_its_district_only(api, organization):
    serve_three_days(api)

    out = fetch(api, "2024-01-05", "2024-01-07")

    # total=0 on 5 January did not stop it after the full page; the 500 was asked again.
    assert api.params() == [
        request("2024-01-05", 0),
        request("2024-01-05", 1000),
        request("2024-01-06", 0),
        request("2024-01-07", 0),
        request("2024-01-07", 0),
    ]
    assert all("kpiplan" in entry["user_agent"] for entry in api.log)
    tickets = Ticket.objects.filter(organization=organization)
    assert tickets.count() == 135
    assert set(tickets.values_list("district", flat=True)) == OUR_SPELLINGS
    day6 = [f["properties"]["ticket_id"] for f in recorded("2024-01-06_total0.json")["features"]
            if f["properties"]["district"] in OUR_SPELLINGS]
    assert tickets.filter(ticket_id__in=day6).count() == len(day6) == 3
    batch = Batch.objects.get(organization=organization)
    assert batch.kind == Batch.Kind.API
    assert batch.source == f"{api.url} start=2024-01-05 end=2024-01-07"
    assert batch.window_start == datetime(2024, 1, 5, tzinfo=BANGKOK)
    assert batch.window_end == datetime(2024, 1, 8, tzinfo=BANGKOK)
    assert (batch.read, batch.created, batch.updated, batch.unchanged, batch.other_districts) == (1015, 135, 0, 0, 880)
    assert batch.finished_at is not None
    assert set(tickets.values_list("batch", flat=True)) == {batch.pk}
    assert TicketState.objects.filter(ticket__organization=organization).count() == 135
    assert "1,015 tickets read in 5 requests" in out or "1015 tickets read in 5 requests" in out
    assert "135 new" in out and "880 of other districts skipped" in out


@pytest.mark.django_db
def test_a_second_run_of_the_same_window_changes_nothing(api, organization):
    serve_three_days(api)
    fetch(api, "2024-01-05", "2024-01-07")

    fetch(api, "2024-01-05", "2024-01-07")

    assert Ticket.objects.filter(organization=organization).count() == 135
    assert TicketState.objects.filter(ticket__organization=organization).count() == 135
    second = Batch.objects.filter(organization=organization).order_by("started_at", "pk").last()
    assert Batch.objects.filter(organization=organization).count() == 2
    assert (second.read, second.created, second.updated, second.unchanged, second.other_districts) == (1015, 0, 0, 135, 880)


@pytest.mark.django_db
def test_it_waits_as_long_as_a_429_asks(api, organization):
    api.serve("2024-01-07", 0, (429, {"Retry-After": "1"}, "Too Many Requests"), ok(recorded("2024-01-07.json")))

    fetch(api, "2024-01-07", "2024-01-07")

    assert api.params() == [request("2024-01-07"), request("2024-01-07")]
    assert api.log[1]["at"] - api.log[0]["at"] >= 1.0
    assert Ticket.objects.filter(organization=organization).count() == 3


@pytest.mark.django_db
def test_it_asks_again_after_a_timeout(api, organization, settings):
    settings.TRAFFY_API_TIMEOUT = 0.3
    api.serve("2024-01-07", 0, ("hang", 1.0, recorded("2024-01-07.json")), ok(recorded("2024-01-07.json")))

    fetch(api, "2024-01-07", "2024-01-07")

    assert len(api.log) == 2
    assert Ticket.objects.filter(organization=organization).count() == 3


@pytest.mark.django_db
def test_a_404_fails_at_once_and_nothing_is_imported(api, organization):
    api.serve("2024-01-05", 0, ok(recorded("2024-01-05_offset0.json.gz")))
    api.serve("2024-01-05", 1000, ok(recorded("2024-01-05_offset1000.json")))
    api.serve("2024-01-06", 0, (404, {}, "<h1>Not Found</h1>"))

    with pytest.raises(CommandError) as error:
        fetch(api, "2024-01-05", "2024-01-06")

    message = str(error.value)
    assert "Nothing was imported" in message and "HTTP 404" in message and "start=2024-01-06" in message
    assert api.params() == [request("2024-01-05", 0), request("2024-01-05", 1000), request("2024-01-06", 0)]
    # 5 January was read whole, yet all or nothing: not one ticket, no batch.
    assert not Ticket.objects.exists()
    assert not Batch.objects.exists()


@pytest.mark.django_db
def test_it_gives_up_after_the_attempts_allowed(api, organization):
    api.serve("2024-01-07", 0, (503, {}, "<h1>Service Unavailable</h1>"))

    with pytest.raises(CommandError) as error:
        fetch(api, "2024-01-07", "2024-01-07")

    assert "3 attempts" in str(error.value) and "HTTP 503" in str(error.value)
    assert len(api.log) == 3
    assert not Ticket.objects.exists() and not Batch.objects.exists()


def feature_with(**properties):
    page = recorded("2024-01-07.json")
    feature = page["features"][0]
    feature["properties"].update(properties)
    page["features"] = [feature]
    return page


@pytest.mark.django_db
def test_a_bad_ticket_of_ours_stops_the_run_and_names_the_ticket(api, organization):
    page = feature_with(timestamp="เมื่อวาน")
    api.serve("2024-01-07", 0, ok(page))

    with pytest.raises(CommandError) as error:
        fetch(api, "2024-01-07", "2024-01-07")

    assert page["features"][0]["properties"]["ticket_id"] in str(error.value)
    assert not Ticket.objects.exists() and not Batch.objects.exists()


@pytest.mark.django_db
def test_a_bad_ticket_of_another_district_is_counted_not_read(api, organization):
    api.serve("2024-01-07", 0, ok(feature_with(timestamp="เมื่อวาน", district="บางแค")))

    fetch(api, "2024-01-07", "2024-01-07")

    batch = Batch.objects.get()
    assert (batch.read, batch.created, batch.other_districts) == (1, 0, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"since": "2024-01-08", "until": "2024-01-07"}, "--since (2024-01-08) is after --until (2024-01-07)"),
        ({"since": "7/1/2024", "until": "2024-01-07"}, "--since must be a date written YYYY-MM-DD"),
        ({"organization": "สนข.ไม่มีจริง"}, "no organization with the short name สนข.ไม่มีจริง"),
        ({"base_url": "ftp://example.org/"}, "--base-url must start with http:// or https://"),
    ],
)
def test_bad_options_are_refused_before_any_request(api, organization, options, expected):
    values = {"organization": "สนข.ภาษีเจริญ", "since": "2024-01-07", "until": "2024-01-07", "base_url": api.url} | options

    with pytest.raises(CommandError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        call_command("traffy_fetch", stdout=io.StringIO(), **values)

    assert api.log == []


@pytest.mark.django_db
def test_an_organization_that_is_not_a_district_is_refused(api):
    department = Organization.objects.exclude(kind=Organization.Kind.DISTRICT).first()

    with pytest.raises(CommandError, match="not a district office"):
        fetch(api, "2024-01-07", "2024-01-07", organization=department.short_name)

    assert api.log == []


@pytest.mark.django_db
def test_the_messages_are_thai_by_default(api, organization):
    api.serve("2024-01-07", 0, (404, {}, "<h1>Not Found</h1>"))

    with translation.override("th"), pytest.raises(CommandError) as error:
        fetch(api, "2024-01-07", "2024-01-07")

    assert "ไม่ได้นำเข้าข้อมูลใด" in str(error.value) and "404" in str(error.value)
