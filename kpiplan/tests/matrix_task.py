"""A task for the admin matrix to enqueue: django-tasks' result rows are in the admin."""

from django_tasks import task


@task()
def noop():
    return None
