"""A quarter of made-up but plausible progress for a plan, so that reports, their reference
pages and screenshots show what a real quarter looks like (results against targets, a
few items behind, one not reported, narratives of different lengths).

Deterministic: the same plan gives the same numbers every time (the reference page images
of the reports depend on it). Written in bulk as submitted-or-later reports; it is
fixture data for tests, benchmarks and demonstrations, not a path for real reports.
"""

from __future__ import annotations

import zlib
from decimal import Decimal

from django.db import transaction

NARRATIVES = [
    "ดำเนินการตามแผน",
    "ดำเนินการแล้วเสร็จตามขั้นตอนที่กำหนด ประสานฝ่ายที่เกี่ยวข้องและรายงานผลต่อผู้อำนวยการเขต",
    "อยู่ระหว่างจัดซื้อจัดจ้าง คาดว่าจะลงนามในสัญญาภายในเดือนถัดไป",
    "ลงพื้นที่ตรวจสอบร่วมกับชุมชน ๑๒ ชุมชน และจัดทำรายงานสรุปผลการดำเนินงานประจำเดือน",
]
OBSTACLES = ["", "", "ฝนตกหนักทำให้การดำเนินงานล่าช้า", "งบประมาณได้รับการจัดสรรล่าช้า"]


def _share(key: str, low: int, high: int) -> int:
    """A stable whole number in [low, high] for a key (crc32, not hash(): hash is salted)."""
    return low + zlib.crc32(key.encode()) % (high - low + 1)


@transaction.atomic
def add_demo_quarter(plan, quarter: int = 1) -> int:
    """Submitted, endorsed and approved reports for every reportable item of `quarter`'s
    three months; one item in twelve is left unreported. Returns the number written."""
    from indicators.models import Indicator
    from plans.models import Period
    from progress.models import ProgressEntry, State
    from progress.services import measures_json
    from progress.status import _main_targets, measure_targets
    from projects.models import Project

    months = list(Period.objects.filter(fiscal_year_id=plan.fiscal_year_id, kind=Period.Kind.MONTH,
                                        number__gt=(quarter - 1) * 3, number__lte=quarter * 3).order_by("number"))
    indicators = list(Indicator.objects.filter(plan=plan, division__isnull=False).order_by("pk"))
    targets = _main_targets(indicators)
    measures = measure_targets(indicators)
    rows = []
    states = [State.APPROVED, State.ENDORSED, State.SUBMITTED]
    for ind in indicators:
        key = f"i{ind.key or ind.name}"
        if _share(key, 1, 12) == 1:
            continue
        pace = Decimal(_share(key, 4, 14)) / 100  # share of the year's target reached per month
        target = targets.get(ind.pk) or Decimal(100)
        for n, m in enumerate(months, start=1):
            value = (target * pace * (n + (quarter - 1) * 3)).quantize(Decimal("0.01"))
            # An indicator reported by measure gets each measure at its own pace.
            by_measure = {mt.label: ((mt.target or Decimal(100)) * Decimal(_share(key + mt.label, 4, 14)) / 100
                                     * (n + (quarter - 1) * 3)).quantize(Decimal("0.001"))
                          for mt in measures.get(ind.pk, ())}
            if by_measure:
                value = sum(by_measure.values(), Decimal(0))
            rows.append(ProgressEntry(
                plan=plan, period=m, indicator=ind, division_id=ind.division_id, state=states[_share(key + str(n), 0, 2)],
                value=value, value_is_cumulative=True, narrative=NARRATIVES[_share(key + "n" + str(n), 0, 3)],
                obstacles=OBSTACLES[_share(key + "o" + str(n), 0, 3)], measure_values=measures_json(by_measure)))
    for p in Project.objects.filter(plan=plan, division__isnull=False).budget_lines().order_by("pk"):
        key = f"p{p.key or p.name}"
        if _share(key, 1, 12) == 1:
            continue
        pace = Decimal(_share(key, 3, 12))
        for n, m in enumerate(months, start=1):
            done = min(Decimal(100), pace * (n + (quarter - 1) * 3))
            rows.append(ProgressEntry(
                plan=plan, period=m, project=p, division_id=p.division_id, state=states[_share(key + str(n), 0, 2)],
                percent_complete=done, disbursed=((p.budget or 0) * done / 100 * Decimal("0.9")).quantize(Decimal("0.01")),
                narrative=NARRATIVES[_share(key + "n" + str(n), 0, 3)], obstacles=OBSTACLES[_share(key + "o" + str(n), 0, 3)]))
    ProgressEntry.objects.bulk_create(rows)
    return len(rows)
