"""Traffy Fondue files into tickets (issue 16 items 1–2): the recorded CSV exports (Thai
headers; English headers with a BOM) and an API page as GeoJSON, with exact counts; the
last activity winning and every state kept; a bad row undoing everything; the import
page's preview → confirm path and who may use it."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from traffy.importer import (
    RowError,
    district_matches,
    import_file,
    import_rows,
    read_csv,
    read_geojson,
    row_from_feature,
)
from traffy.models import Batch, Ticket, TicketState

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
THAI_CSV = (DATA / "thai_headers.csv").read_bytes()
ENGLISH_CSV = (DATA / "english_headers_bom.csv").read_bytes()
GEOJSON = (DATA / "api_page.geojson").read_bytes()


def counts(batch: Batch) -> dict:
    return {k: getattr(batch, k) for k in ("read", "created", "updated", "unchanged", "other_districts")}


def states(organization, ticket_id: str) -> list[str]:
    return list(TicketState.objects.filter(ticket__organization=organization, ticket__ticket_id=ticket_id)
                .order_by("at", "id").values_list("state", flat=True))


def run(organization, data: bytes, filename: str, user=None, **kwargs) -> Batch:
    result = import_file(organization=organization, user=user, data=data, filename=filename, dry_run=False, **kwargs)
    assert not result.has_errors, [e.message for e in result.errors] or result.file_error
    return result.batch


# -- the recorded files ---------------------------------------------------------------------------

def test_the_thai_headed_export_imports_with_exact_counts(organization):
    batch = run(organization, THAI_CSV, "traffy-พฤศจิกายน.csv")
    assert counts(batch) == {"read": 12, "created": 7, "updated": 0, "unchanged": 0, "other_districts": 3}
    assert batch.kind == Batch.Kind.CSV and batch.source == "traffy-พฤศจิกายน.csv" and batch.finished_at
    tickets = {t.ticket_id: t for t in Ticket.objects.filter(organization=organization)}
    assert set(tickets) == {"2023-7XQ2LM", "2023-8AB3CD", "2023-9EF4GH", "2023-A1B2C3", "2023-D4E5F6",
                            "2023-G7H8J9", "2023-R7S8T9"}
    # Every state Traffy uses arrives as written.
    assert {t.state for t in tickets.values()} == {"เสร็จสิ้น", "รอรับเรื่อง", "ส่งต่อ", "ไม่เกี่ยวข้อง"}
    # The duplicate later in the file (finished on 9 Nov) wins over the first sighting ...
    cleaned = tickets["2023-8AB3CD"]
    assert cleaned.state == "เสร็จสิ้น" and cleaned.star == Decimal("5.0")
    assert cleaned.after_photo_url.endswith("8ab3cd_after.jpg")
    assert states(organization, "2023-8AB3CD") == ["กำลังดำเนินการ", "เสร็จสิ้น"]
    # ... and an older sighting later in the file loses, but its state is kept in the history.
    assert tickets["2023-A1B2C3"].state == "ส่งต่อ"
    assert states(organization, "2023-A1B2C3") == ["รอรับเรื่อง", "ส่งต่อ"]
    # Thai digits, a B.E. date without an offset (Bangkok time), "lon,lat" coordinates.
    reopened = tickets["2023-G7H8J9"]
    assert reopened.count_reopen == 2 and reopened.star == Decimal("5.0")
    assert reopened.reported_at == datetime(2023, 11, 7, 3, 0, tzinfo=UTC)
    assert reopened.finished_at == datetime(2023, 11, 20, 7, 30, tzinfo=UTC)  # the export's last activity
    assert reopened.problem_types == ["ถนน", "ท่อระบายน้ำ"]
    assert (reopened.latitude, reopened.longitude) == (Decimal("13.709550"), Decimal("100.462100"))
    # Missing fields are empty, not errors.
    bare = tickets["2023-R7S8T9"]
    assert (bare.problem_types, bare.photo_url, bare.latitude, bare.star, bare.count_reopen) == ([], "", None, None, 0)
    assert TicketState.objects.filter(ticket__organization=organization).count() == 9
    assert set(Ticket.objects.filter(organization=organization).values_list("batch", flat=True)) == {batch.pk}


def test_the_english_headed_export_with_a_bom_imports_with_exact_counts(organization):
    batch = run(organization, ENGLISH_CSV, "bangkok_traffy.csv")
    # Bang Khae's ticket and Nonthaburi's (a "เมือง…" district of another province) are skipped.
    assert counts(batch) == {"read": 8, "created": 6, "updated": 0, "unchanged": 0, "other_districts": 2}
    romanised = Ticket.objects.get(organization=organization, ticket_id="2023-X9Y8Z7")
    assert romanised.district == "Phasi Charoen" and romanised.subdistrict == "Bang Wa"
    assert Ticket.objects.get(organization=organization, ticket_id="2023-9EF4GH").reported_at == \
        datetime(2023, 11, 4, 12, 45, 10, tzinfo=UTC)  # "…+00"


def test_an_export_saved_by_thai_excel_tis620_imports_the_same(organization):
    batch = run(organization, THAI_CSV.decode().encode("cp874"), "tis620.csv")
    assert (batch.created, batch.other_districts) == (7, 3)
    assert Ticket.objects.get(organization=organization, ticket_id="2023-G7H8J9").subdistrict == "บางจาก"


def test_an_api_page_as_geojson_imports_with_exact_counts(organization):
    batch = run(organization, GEOJSON, "page-2024-01.geojson")
    assert batch.kind == Batch.Kind.GEOJSON
    assert counts(batch) == {"read": 10, "created": 7, "updated": 0, "unchanged": 0, "other_districts": 2}
    assert not Ticket.objects.filter(ticket_id__in=["2024-GGG777", "2024-HHH888"]).exists()
    finished = Ticket.objects.get(organization=organization, ticket_id="2024-AAA111")
    assert finished.finished_at == datetime(2024, 1, 8, 3, 0, 10, 555000, tzinfo=UTC)
    assert finished.in_progress_at == datetime(2024, 1, 5, 10, 0, tzinfo=UTC)
    assert finished.org_text == "เขตภาษีเจริญ, กรุงเทพมหานคร" and finished.org_action == "เขตภาษีเจริญ"
    assert (finished.longitude, finished.latitude) == (Decimal("100.447120"), Decimal("13.715880"))
    assert Ticket.objects.get(organization=organization, ticket_id="2024-FFF666").count_reopen == 1
    assert states(organization, "2024-BBB222") == ["กำลังดำเนินการ", "เสร็จสิ้น"]
    bare = Ticket.objects.get(organization=organization, ticket_id="2024-JJJ999")
    assert (bare.latitude, bare.org_text, bare.problem_types, bare.last_activity_at) == (None, "", [], None)


def test_a_second_import_updates_states_and_keeps_every_one(organization):
    run(organization, THAI_CSV, "first.csv")
    second = run(organization, ENGLISH_CSV, "second.csv")
    # 9EF4GH, R7S8T9, G7H8J9 moved on; 7XQ2LM is the same ticket given in UTC; two new.
    assert counts(second) == {"read": 8, "created": 2, "updated": 3, "unchanged": 1, "other_districts": 2}
    assert states(organization, "2023-9EF4GH") == ["รอรับเรื่อง", "กำลังดำเนินการ"]
    assert states(organization, "2023-R7S8T9") == ["รอรับเรื่อง", "เสร็จสิ้น"]
    reopened = Ticket.objects.get(organization=organization, ticket_id="2023-G7H8J9")
    assert (reopened.state, reopened.count_reopen) == ("กำลังดำเนินการ", 3)
    assert states(organization, "2023-G7H8J9") == ["เสร็จสิ้น", "กำลังดำเนินการ"]
    assert Ticket.objects.get(organization=organization, ticket_id="2023-7XQ2LM").batch.source == "first.csv"
    # The same file again changes nothing.
    again = run(organization, ENGLISH_CSV, "second.csv")
    assert counts(again) == {"read": 8, "created": 0, "updated": 0, "unchanged": 6, "other_districts": 2}
    assert TicketState.objects.filter(ticket__organization=organization).count() == 9 + 2 + 3


def test_an_older_file_does_not_undo_a_newer_state(organization):
    run(organization, ENGLISH_CSV, "newer.csv")
    older = run(organization, THAI_CSV, "older.csv")
    assert Ticket.objects.get(organization=organization, ticket_id="2023-9EF4GH").state == "กำลังดำเนินการ"
    assert older.unchanged >= 3


def test_tickets_are_another_organizations_own(organization, cast):
    """The same ticket file for Bang Khae's office: only Bang Khae's ticket is imported
    (ten distinct tickets in twelve rows: nine are skipped)."""
    batch = run(cast.other_org, THAI_CSV, "bangkhae.csv")
    assert counts(batch) == {"read": 12, "created": 1, "updated": 0, "unchanged": 0, "other_districts": 9}
    assert list(Ticket.objects.filter(organization=cast.other_org).values_list("ticket_id", flat=True)) == ["2023-K1L2M3"]
    assert not Ticket.objects.filter(organization=organization).exists()


# -- bad input -----------------------------------------------------------------------------------------

def bad_thai_csv() -> bytes:
    """The Thai export with a star rating that is not a number on row 8."""
    lines = THAI_CSV.decode().splitlines()
    lines[7] = lines[7].replace(",เสร็จสิ้น,3,0,", ",เสร็จสิ้น,สามดาว,0,")
    return ("\n".join(lines) + "\n").encode()


def test_a_bad_row_rolls_back_everything_and_names_the_row_and_column(organization):
    before = Batch.objects.count()
    # Chunks of two: the first rows are written before the bad one is read, and undone.
    result = import_file(organization=organization, user=None, data=bad_thai_csv(), filename="bad.csv", dry_run=False,
                         chunk_size=2)
    assert result.has_errors
    assert [e.message for e in result.errors] == ["Row 8, column «คะแนน»: «สามดาว» is not a number (Thai or Arabic digits)."]
    assert not Ticket.objects.filter(organization=organization).exists()
    assert TicketState.objects.count() == 0 and Batch.objects.count() == before


def test_the_preview_lists_every_bad_row_and_counts_the_rest(organization):
    lines = bad_thai_csv().decode().splitlines()
    lines[2] = lines[2].replace("2023-11-02 08:30:00+07:00", "๒ พ.ย. ๖๖")
    result = import_file(organization=organization, user=None, data="\n".join(lines).encode(), filename="bad.csv",
                         dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(3, "วันที่แจ้ง"), (8, "คะแนน")]
    assert result.batch.created == 7 and not Ticket.objects.exists()


@pytest.mark.parametrize("header, cell, column, problem", [
    ("สถานะ", "", "สถานะ", "The state is empty."),
    ("จำนวนครั้งที่เปิดเรื่องใหม่", "1.5", "จำนวนครั้งที่เปิดเรื่องใหม่", "«1.5» must be a whole number."),
    ("พิกัด", "13.7", "พิกัด", "«13.7» is not «longitude,latitude»."),
    ("รูปภาพ", "ไม่มีรูป", "รูปภาพ", "«ไม่มีรูป» is not a web address."),
])
def test_each_bad_cell_names_its_column(header, cell, column, problem):
    text = f"เลขที่เรื่อง,วันที่แจ้ง,สถานะ,{header}\n2024-XYZ,2024-01-01 10:00:00+07:00,รอรับเรื่อง,{cell}\n"
    if header == "สถานะ":
        text = f"เลขที่เรื่อง,วันที่แจ้ง,สถานะ\n2024-XYZ,2024-01-01 10:00:00+07:00,{cell}\n"
    with pytest.raises(RowError) as caught:
        list(read_csv(io.BytesIO(text.encode())))
    assert (caught.value.row, caught.value.column, caught.value.problem) == (2, column, problem)


def test_a_file_that_is_not_text_says_so(organization):
    result = import_file(organization=organization, user=None, data=b"\x89PNG\r\n\x1a\n\x00\x00\xfc\xfd", filename="x.csv",
                         dry_run=True)
    assert result.file_error == "The characters of this CSV file cannot be read; please save it as UTF-8 or TIS-620."
    result = import_file(organization=organization, user=None, data=b"{not json", filename="page.geojson", dry_run=True)
    assert result.file_error.startswith("The file is not GeoJSON")


def test_a_file_without_a_required_column_says_which(organization):
    result = import_file(organization=organization, user=None, data="ticket_id,district\nA,ภาษีเจริญ\n".encode(), filename="x.csv",
                         dry_run=True)
    assert "state" in result.file_error and "reported_at" in result.file_error and result.batch is None


def test_a_bad_feature_names_the_feature_and_field():
    with pytest.raises(RowError) as caught:
        list(read_geojson(io.BytesIO(b'{"features": [{"properties": {"ticket_id": "A", "state": "x",'
                                     b' "timestamp": "yesterday"}}]}')))
    assert caught.value.message == "Feature 1, field «timestamp»: «yesterday» is not a date and time " \
                                   "(expected e.g. 2024-01-05 09:12:33+07:00)."
    with pytest.raises(RowError, match="coordinates"):
        row_from_feature({"geometry": {"coordinates": [100.4, 95]}, "properties": {
            "ticket_id": "A", "state": "เสร็จสิ้น", "timestamp": "2024-01-05 09:12:33.123+00"}})


# -- districts ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["ภาษีเจริญ", "เขตภาษีเจริญ", "เขต ภาษีเจริญ", " ภาษีเจริญ ", "สำนักงานเขตภาษีเจริญ",
                                  "สนข.ภาษีเจริญ", "Phasi Charoen", "phasi charoen", "Phasi-Charoen", "PHASICHAROEN",
                                  "Khet Phasi Charoen", "Phasi Charoen District"])
def test_the_ways_people_write_the_district_match(organization, text):
    assert district_matches(organization, text)


@pytest.mark.parametrize("text", ["", "บางแค", "Bang Khae", "เขตจอมทอง", "ภาษี", "Phasi"])
def test_other_districts_do_not_match(organization, text):
    assert not district_matches(organization, text)


def test_a_large_file_is_written_in_chunks(organization, django_assert_max_num_queries):
    """Queries grow with the number of chunks, not of tickets."""
    from traffy.importer import TicketRow

    rows = [TicketRow(ticket_id=f"2024-{n:06d}", problem_types=["ถนน"], description="", photo_url="", after_photo_url="",
                      org_text="", org_action="", district="ภาษีเจริญ", subdistrict="บางหว้า", state="รอรับเรื่อง",
                      reported_at=datetime(2024, 1, 1, tzinfo=UTC), last_activity_at=None, in_progress_at=None,
                      finished_at=None, count_reopen=0, star=None, latitude=None, longitude=None) for n in range(2500)]
    with django_assert_max_num_queries(30):
        batch = import_rows(organization, iter(rows), batch=Batch(kind=Batch.Kind.API, source="test"), chunk_size=1000)
    assert batch.created == 2500 and Ticket.objects.filter(organization=organization).count() == 2500


# -- the page ---------------------------------------------------------------------------------------------

def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_a_planner_previews_then_confirms(client, cast):
    client.force_login(cast.planner)
    page = client.post(reverse("traffy-import"), {"action": "preview", "file": upload("พ.ย.csv", THAI_CSV)})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="count-created">๗<' in text and 'id="count-other">๓<' in text and 'id="count-errors">๐<' in text
    assert not Ticket.objects.exists()  # a preview writes nothing
    token = page.context["token"]
    done = client.post(reverse("traffy-import"), {"action": "confirm", "token": token}, follow=True)
    assert Ticket.objects.filter(organization=cast.org).count() == 7
    assert "นำเข้า พ.ย.csv" in done.content.decode() or "พ.ย.csv" in done.content.decode()
    assert Batch.objects.get(organization=cast.org).by == cast.planner
    # The token is used once.
    again = client.post(reverse("traffy-import"), {"action": "confirm", "token": token})
    assert again.status_code == 400 and Batch.objects.count() == 1


def test_the_preview_shows_bad_rows_in_thai_and_offers_no_confirmation(client, cast):
    client.force_login(cast.planner)
    page = client.post(reverse("traffy-import"), {"action": "preview", "file": upload("bad.csv", bad_thai_csv())})
    text = page.content.decode()
    assert "แถว 8 คอลัมน์ «คะแนน»" in text and "สามดาว" in text
    assert page.context["token"] is None and 'id="confirm-import"' not in text


def test_an_administrator_chooses_the_organization(client, cast):
    client.force_login(cast.administrator)
    page = client.post(reverse("traffy-import"), {"action": "preview", "organization": cast.other_org.pk,
                                                  "file": upload("x.csv", THAI_CSV)})
    assert page.status_code == 200 and page.context["result"].batch.created == 1  # Bang Khae's one ticket
    client.post(reverse("traffy-import"), {"action": "confirm", "organization": cast.other_org.pk,
                                           "token": page.context["token"]})
    assert list(Ticket.objects.values_list("organization", flat=True)) == [cast.other_org.pk]


@pytest.mark.parametrize("who, status", [("staff", 403), ("head", 403), ("executive", 403), ("planner", 200),
                                         ("other_planner", 200), ("administrator", 200)])
def test_who_may_open_the_page(client, cast, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("traffy-import")).status_code == status


def test_a_planner_of_another_organization_cannot_import_into_this_one(client, cast):
    client.force_login(cast.other_planner)
    page = client.post(reverse("traffy-import"), {"action": "preview", "organization": cast.org.pk,
                                                  "file": upload("x.csv", THAI_CSV)})
    # The organization asked for is not theirs: nothing is previewed for it.
    assert page.status_code == 400 and not Ticket.objects.exists()
    # A token of another planner's upload does not work either.
    client.force_login(cast.planner)
    token = client.post(reverse("traffy-import"), {"action": "preview", "file": upload("x.csv", THAI_CSV)}).context["token"]
    client.force_login(cast.other_planner)
    client.post(reverse("traffy-import"), {"action": "confirm", "token": token})
    assert not Ticket.objects.exists()


def test_staff_may_not_post_a_file(client, cast):
    client.force_login(cast.staff)
    response = client.post(reverse("traffy-import"), {"action": "preview", "file": upload("x.csv", THAI_CSV)})
    assert response.status_code == 403 and not Batch.objects.exists()


def test_the_home_page_links_the_import_for_planners_only(client, cast):
    client.force_login(cast.planner)
    assert reverse("traffy-import") in client.get(reverse("home")).content.decode()
    client.force_login(cast.staff)
    assert reverse("traffy-import") not in client.get(reverse("home"), follow=True).content.decode()


def test_the_page_lists_the_organizations_imports_only(client, cast):
    run(cast.org, THAI_CSV, "ภาษีเจริญ-พ.ย.csv", user=cast.planner)
    run(cast.other_org, THAI_CSV, "บางแค-พ.ย.csv", user=cast.other_planner)
    client.force_login(cast.planner)
    text = client.get(reverse("traffy-import")).content.decode()
    assert "ภาษีเจริญ-พ.ย.csv" in text and "บางแค-พ.ย.csv" not in text
    assert "ใหม่ ๗ ปรับปรุง ๐ ไม่เปลี่ยนแปลง ๐ เขตอื่น ๓" in text


@pytest.mark.parametrize("who, imports_own, imports_other, views_own, views_other", [
    ("staff", False, False, True, False),
    ("head", False, False, True, False),
    ("executive", False, False, True, False),
    ("planner", True, False, True, False),
    ("other_planner", False, True, False, True),
    ("administrator", True, True, True, True),
])
def test_the_policy_names_who_imports_and_who_reads_tickets(cast, who, imports_own, imports_other, views_own, views_other):
    from accounts import policy

    user = getattr(cast, who)
    assert policy.allowed(user, "traffy.import", cast.org) is imports_own
    assert policy.allowed(user, "traffy.import", cast.other_org) is imports_other
    assert policy.allowed(user, "traffy.view", cast.org) is views_own
    assert policy.allowed(user, "traffy.view", cast.other_org) is views_other


def test_the_city_executive_reads_every_organizations_tickets_and_imports_none(cast):
    from accounts import policy, roles
    from tests.factories import make_user

    city = make_user("city", roles.CITY_EXECUTIVE)
    assert policy.allowed(city, "traffy.view", cast.org) and policy.allowed(city, "traffy.view", cast.other_org)
    assert not policy.allowed(city, "traffy.import") and not policy.allowed(city, "traffy.import", cast.org)
