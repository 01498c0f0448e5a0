"""Two people save the same report at the same moment on PostgreSQL: one wins, the
other is told, and nothing is silently overwritten."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from indicators.models import Indicator
from plans.models import Division, Period, Plan
from progress.models import ProgressEntry
from progress.services import ConcurrentEdit, Item, entry_save
from tests.factories import make_user


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_saves_from_the_same_version():
    assert connection.vendor == "postgresql", "the suite runs on PostgreSQL: row locks are what this checks"
    plan = Plan.objects.get(organization__short_name="สนข.ภาษีเจริญ")
    division = Division.objects.get(organization=plan.organization, name="ฝ่ายโยธา")
    staff = make_user("a_staff", "division_staff", plan.organization, division)
    head = make_user("a_head", "division_head", plan.organization, division)
    item = Item("indicator", Indicator.objects.get(plan=plan, key="okr:1.4.06"))
    period = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    first = entry_save(user=staff, plan=plan, period=period, item=item, data={"value": Decimal("1"), "narrative": "เดิม"}, version=0)

    barrier = threading.Barrier(2)
    outcomes = {}

    def save(user, value):
        try:
            barrier.wait()
            entry_save(user=user, plan=plan, period=period, item=item,
                       data={"value": Decimal(value), "narrative": f"โดย {user.username}"}, version=first.version)
            outcomes[user.username] = "saved"
        except ConcurrentEdit:
            outcomes[user.username] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(staff, "10")), threading.Thread(target=save, args=(head, "20"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["refused", "saved"]
    entry = ProgressEntry.objects.get(pk=first.pk)
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    assert entry.narrative == f"โดย {winner}" and entry.version == first.version + 1
