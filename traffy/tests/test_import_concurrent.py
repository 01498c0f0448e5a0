"""Two imports of the same new tickets at the same moment (a double click, two tabs, an
upload while the fetch command runs): both finish, each ticket exists once, and the second
finds the first one's tickets unchanged, instead of a server error on the unique ticket
number (issue 16 "Performance")."""

from __future__ import annotations

import io
import threading

import pytest
from django.db import connection

from plans.models import Organization
from traffy.importer import import_rows, read_csv
from traffy.models import Batch, Ticket, TicketState

CSV = """เลขที่เรื่อง,ประเภทปัญหา,เขต,จังหวัด,วันที่แจ้ง,สถานะ,อัปเดตล่าสุด
2026-BK0001,{ถนน},บางแค,กรุงเทพมหานคร,2026-11-01 08:00:00+07:00,รอรับเรื่อง,2026-11-01 08:00:00+07:00
2026-BK0002,{ทางเท้า},เขตบางแค,กรุงเทพมหานคร,2026-11-02 09:00:00+07:00,กำลังดำเนินการ,2026-11-03 09:00:00+07:00
2026-BK0003,{ไฟฟ้า},Bang Khae,กรุงเทพมหานคร,2026-11-03 10:00:00+07:00,เสร็จสิ้น,2026-11-04 10:00:00+07:00
""".encode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_of_the_same_new_tickets_at_once_both_finish():
    bangkhae = Organization.objects.create(short_name="สนข.บางแค", name="สำนักงานเขตบางแค", code="50400000",
                                           kind="district")
    # Each import, once inside its transaction, waits (up to a second) for the other to get
    # that far too: without the organization lock both then insert the same tickets and one
    # fails on the unique constraint; with it the second never gets here before the first
    # has committed, and goes on when the wait times out.
    inside = threading.Barrier(2)
    results: dict[str, object] = {}

    def rows():
        try:
            inside.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass
        yield from read_csv(io.BytesIO(CSV))

    def run(name):
        try:
            batch = Batch(organization=bangkhae, kind=Batch.Kind.CSV, source=f"{name}.csv")
            results[name] = import_rows(bangkhae, rows(), batch=batch)
        except Exception as exc:  # the outcome under test: an import that fails says how
            results[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("first tab", "second tab")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(isinstance(r, Batch) for r in results.values()), results
    assert sorted((b.created, b.unchanged) for b in results.values()) == [(0, 3), (3, 0)]
    assert sorted(Ticket.objects.filter(organization=bangkhae).values_list("ticket_id", flat=True)) == [
        "2026-BK0001", "2026-BK0002", "2026-BK0003"]
    assert TicketState.objects.filter(ticket__organization=bangkhae).count() == 3
