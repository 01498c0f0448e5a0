"""Two planners save the same project in the admin at the same moment on PostgreSQL:
one wins, the other is told (the edit token is re-read under a row lock), and nothing is
silently overwritten (issue 12: lost updates in the admin)."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from plans.models import Plan
from projects.models import Project
from tests.admin_forms import form_data
from tests.factories import make_user


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_admin_saves_of_one_project():
    assert connection.vendor == "postgresql", "row locks are what this checks"
    plan = Plan.objects.get(organization__short_name="สนข.ภาษีเจริญ")
    planners = [make_user(f"planner_{n}", "planner", plan.organization) for n in (1, 2)]
    project = Project.objects.get(plan=plan, key="p2:1.7.2")
    url = reverse("admin:projects_project_change", args=[project.pk])
    clients, posts = [], []
    for n, planner in enumerate(planners, start=1):
        client = Client()
        client.force_login(planner)
        clients.append(client)
        posts.append(form_data(client.get(url), budget=str(100000 * n), change_reason=f"โดยคนที่ {n}"))

    barrier = threading.Barrier(2)
    outcomes = {}

    def save(n):
        try:
            barrier.wait()
            outcomes[n] = clients[n].post(url, posts[n]).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == [200, 302]  # one saved (redirect), one refused (form again)
    winner = next(n for n, status in outcomes.items() if status == 302)
    project.refresh_from_db()
    assert project.budget == 100000 * (winner + 1)
    assert project.history.latest().history_change_reason == f"โดยคนที่ {winner + 1}"
