"""The embedded quick start's demo quarter: only on the embedded database, only once, and
the same figures every time (the reports' reference pages are drawn from it)."""

import pytest
from django.core.management import CommandError, call_command

from progress.models import ProgressEntry, State

pytestmark = pytest.mark.django_db


def test_demo_progress_is_refused_on_a_real_database(real_plan, settings):
    settings.EMBEDDED_MODE = False
    with pytest.raises(CommandError):
        call_command("demo_progress")
    assert not ProgressEntry.objects.exists()


def test_demo_progress_fills_the_first_quarter_once_and_the_same_way(real_plan, settings):
    settings.EMBEDDED_MODE = True
    call_command("demo_progress")
    first = sorted(ProgressEntry.objects.values_list("indicator__key", "project__key", "period__number", "value", "state"),
                   key=str)
    assert first and {p for _i, _p, p, _v, _s in first} == {1, 2, 3}
    assert {s for *_rest, s in first} <= {State.SUBMITTED, State.ENDORSED, State.APPROVED}  # official: pages show them
    call_command("demo_progress")  # a second start adds nothing
    assert ProgressEntry.objects.count() == len(first)
    ProgressEntry.objects.all().delete()
    call_command("demo_progress")
    again = sorted(ProgressEntry.objects.values_list("indicator__key", "project__key", "period__number", "value", "state"),
                   key=str)
    assert again == first
