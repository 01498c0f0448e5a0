"""Fixtures the report tests share."""

from decimal import Decimal

import pytest

from plans.models import Period
from reports.tests.laid_out import norm


@pytest.fixture(scope="module")
def real_book(django_db_setup, django_db_blocker):
    """The real plan's book laid out once for the module (a few seconds): its context, the
    WeasyPrint document and each page's text through norm()."""
    from plans.models import Plan
    from reports.book import plan_book
    from reports.pdf import layout, page_texts

    with django_db_blocker.unblock():
        plan = Plan.objects.select_related("organization").get(organization__short_name="สนข.ภาษีเจริญ", fiscal_year=2567)
        context = plan_book(plan)
        document = layout("reports/book.html", context)
    return context, document, [norm(t) for t in page_texts(document)]


@pytest.fixture
def roads_and_drains_reported(cast):
    """ฝ่ายโยธา submits table ค 1.1.1 (km of roads, the total to date) and 1.1.3 (% of
    drains, month by month) for October to December through the services."""
    from indicators.models import Indicator
    from progress.services import Item, entry_save, entry_submit

    roads = Indicator.objects.get(plan=cast.plan, kind="agreement", code="1.1.1")
    drains = Indicator.objects.get(plan=cast.plan, kind="agreement", code="1.1.3")
    for month, km, done in [(1, "0.5", 10), (2, "0.9", 15), (3, "1.25", 20)]:
        period = Period.objects.get(fiscal_year_id=2567, kind="month", number=month)
        for indicator, value, cumulative in [(roads, km, True), (drains, done, False)]:
            entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=Item("indicator", indicator),
                               data={"value": Decimal(value), "value_is_cumulative": cumulative, "narrative": "ดำเนินการ"},
                               version=0)
            entry_submit(user=cast.staff, entry=entry, version=entry.version)
    return roads, drains
