"""A quarter of made-up but plausible progress for a plan, so that reports, their reference
pages and screenshots show what a real quarter looks like (results against targets, a
few items behind, one not reported, narratives of different lengths).

Deterministic: the same plan gives the same numbers every time (the reference page images
of the reports depend on it). Written in bulk as submitted-or-later reports; it is
fixture data for tests, benchmarks and demonstrations, not a path for real reports.
"""

from __future__ import annotations

import datetime
import io
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from unittest import mock

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


# -- a year through the services ----------------------------------------------------
#
# add_demo_quarter above writes rows directly (fast fixture data for tests). The quick
# start's demo year instead goes through progress.services as the divisions' staff and
# heads and the planner would, month by month, so the history, the audit trail, the
# evidence files and the queues are what real use leaves. The services read the time from
# django.utils.timezone.now; the demo sets that clock to the day each step would have been
# taken (a report of March saved at the end of March, submitted before or after its due
# date, approved by the head the next day, verified by the planner a few days later).

RETURN_BY_HEAD = [
    "แนบภาพถ่ายการดำเนินงานเป็นหลักฐานเพิ่มเติม",
    "ผลสะสมไม่ตรงกับทะเบียนคุมของฝ่าย กรุณาตรวจสอบตัวเลข",
]
RETURN_BY_PLANNER = [
    "ระบุรายละเอียดการดำเนินงานให้ชัดเจน ว่าดำเนินการที่ใดและกี่ครั้ง",
    "ผลที่รายงานสูงกว่าข้อมูลของสำนักงานเขต กรุณาตรวจสอบและแก้ไข",
]
CORRECTED = "ตรวจสอบตัวเลขกับทะเบียนคุมของฝ่ายแล้ว และแนบภาพถ่ายการลงพื้นที่"
UNUSUAL_NOTE = "ตรวจสอบแล้ว ตัวเลขถูกต้องตามทะเบียนคุมของฝ่าย"
EVALUATION = ["", "", "ตรวจสอบกับเอกสารหลักฐานแล้ว", "ผลเป็นไปตามแผน"]


@dataclass
class DemoYear:
    months: int = 0
    reports: int = 0
    returned: int = 0
    late: int = 0
    evidence: int = 0
    waiting: int = 0


@contextmanager
def _clock(moment: datetime.datetime):
    """Every timezone.now() inside (the services', auto_now's, the history's) answers
    `moment`."""
    from django.utils import timezone

    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def _image(key: str, n: int) -> tuple[str, bytes]:
    """A small photo-like evidence image (PNG or JPEG), different for every report."""
    from PIL import Image, ImageDraw

    hue = _share(key, 0, 255)
    img = Image.new("RGB", (320, 200), (120 + hue // 3, 170, 200 - hue // 3))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 130, 320, 200), fill=(90, 120 + hue // 4, 70))  # the ground
    for i in range(_share(key + "b", 2, 5)):  # houses, lamps, trucks: boxes of a size
        x = 20 + i * 70
        h = _share(f"{key}h{i}", 30, 90)
        draw.rectangle((x, 130 - h, x + 50, 130), fill=(200 - i * 20, 180 - hue // 5, 150 + i * 15), outline=(40, 40, 40))
    draw.text((10, 180), f"DEMO {key[:20]} M{n:02d}", fill=(255, 255, 255))
    out = io.BytesIO()
    jpeg = _share(key + "f", 0, 1) == 1
    img.save(out, format="JPEG" if jpeg else "PNG", quality=70)
    return (f"ภาพกิจกรรม-{n:02d}.{'jpg' if jpeg else 'png'}", out.getvalue())


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, _share(str(day) + str(hour), 0, 59))))


def _to_date(key: str, n: int) -> Decimal:
    """The share of the year's target reached by the end of month `n`: a pace of its own
    per indicator (below 1/12 a month falls behind), faster or slower month by month."""
    pace = Decimal(_share(key, 5, 13)) / 100
    return sum((pace * _share(f"{key}m{k}", 40, 160) / 100 for k in range(1, n + 1)), Decimal(0))


def _s_curve(key: str, n: int) -> Decimal:
    """Percent complete of a project at the end of month `n`: slow to start, fast in the
    middle, slow to finish (an S-curve), done in 6 to 16 months."""
    months = _share(key, 6, 16)
    x = min(Decimal(1), Decimal(n) / months)
    return (100 * (3 * x * x - 2 * x * x * x)).quantize(Decimal("0.01"))


def _planned_percent(steps, n: int) -> Decimal:
    """How far a project with a work plan is at the end of month `n`: the printed
    cumulative percent of its latest step planned by then; before its first step a share
    of what that step starts from, after its last one the way on to 100 %."""
    steps = sorted(steps, key=lambda s: (max(s.months), s.number))
    done = [s for s in steps if max(s.months) <= n]
    if not done:
        first = steps[0]
        start = first.cumulative_percent - (first.weight or 0)
        return (start * n / max(1, min(first.months))).quantize(Decimal("0.01"))
    end = max(done[-1].months)
    reached = done[-1].cumulative_percent
    if done[-1] is steps[-1] and n > end:
        reached += (Decimal(100) - reached) * (n - end) / (12 - end)
    return min(Decimal(100), reached).quantize(Decimal("0.01"))


def add_demo_year(plan, *, planner, reporters: dict, today: datetime.date | None = None) -> DemoYear:
    """A year of reports (every month of the plan's fiscal year that has ended by
    `today`) through progress.services: `reporters` gives each division's (staff, head)
    (accounts.demo.division_reporters), `planner` verifies. Deterministic."""
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone, translation

    from indicators.models import Indicator
    from plans.models import Period
    from projects.models import Project

    from . import services
    from .models import due_date
    from .plausibility import is_share
    from .status import _main_targets, measure_targets

    today = today or timezone.localdate()
    periods = list(Period.objects.filter(fiscal_year_id=plan.fiscal_year_id, kind__in=[Period.Kind.MONTH, Period.Kind.QUARTER],
                                         end__lt=today).order_by("end", "kind"))
    months = [p for p in periods if p.kind == Period.Kind.MONTH]
    quarters = {p.end: p for p in periods if p.kind == Period.Kind.QUARTER}
    summary = DemoYear(months=len(months))
    if not months:
        return summary
    last = months[-1].number
    indicators = list(Indicator.objects.filter(plan=plan, division__isnull=False).order_by("pk"))
    targets = _main_targets(indicators)
    measures = measure_targets(indicators)
    projects = list(Project.objects.filter(plan=plan, division__isnull=False).budget_lines()
                    .prefetch_related("work_steps").order_by("pk"))

    def run(item_key: str, item, period, n: int, data: dict, steps=None) -> None:
        staff, head = reporters[item.division_id]
        end = period.end
        due = due_date(plan, period)
        final = n == last
        fate = _share(item_key + "fate" + str(n), 0, 19)
        late = _share(item_key + "late" + str(n), 0, 7) == 0
        submitted = due + datetime.timedelta(days=_share(item_key + "ld" + str(n), 1, 12)) if late \
            else end + datetime.timedelta(days=_share(item_key + "d" + str(n), 0, plan.report_due_days))
        saved = min(submitted, end + datetime.timedelta(days=1))

        def save(moment, values, reason=""):
            entry = services.ProgressEntry.objects.filter(period=period, **{item.kind: item.obj}).first()
            version = entry.version if entry else None
            with _clock(moment):
                try:
                    return services.entry_save(user=staff, plan=plan, period=period, item=item, data=values,
                                               steps_done=steps, version=version, reason=reason)
                except services.NeedsExplanation as exc:
                    return services.entry_save(user=staff, plan=plan, period=period, item=item, steps_done=steps,
                                               version=version, reason=reason,
                                               data={**values, "implausible_confirmed": True, "implausible_seen": exc.reason,
                                                     "implausible_note": UNUSUAL_NOTE})

        entry = save(_at(saved, 10), data)
        if final and fate < 2:  # still a draft: not sent yet
            summary.reports += 1
            summary.waiting += 1
            return
        if _share(item_key + "ev" + str(n), 0, 5) == 0 or (n % 3 == 0 and _share(item_key + "evq", 0, 2) == 0):
            name, content = _image(item_key, n)
            with _clock(_at(saved, 11)):
                services.evidence_add(user=staff, entry=entry, upload=SimpleUploadedFile(name, content))
            summary.evidence += 1
        with _clock(_at(submitted, 14)):
            entry = services.entry_submit(user=staff, entry=entry, version=entry.version)
        summary.reports += 1
        summary.late += late
        if final and fate < 4:  # waiting for the head
            summary.waiting += 1
            return
        day = submitted + datetime.timedelta(days=1)
        if fate == 4 or (final and fate == 5):  # the head sends it back
            with _clock(_at(day, 9)):
                entry = services.entry_return(user=head, entry=entry, comment=RETURN_BY_HEAD[n % 2], version=entry.version)
            summary.returned += 1
            if final and fate == 5:  # not corrected yet
                summary.waiting += 1
                return
            day += datetime.timedelta(days=1)
            entry = save(_at(day, 10), {**data, "narrative": data["narrative"] + " " + CORRECTED})
            if n % 2 == 0:
                name, content = _image(item_key + "r", n)
                with _clock(_at(day, 11)):
                    services.evidence_add(user=staff, entry=entry, upload=SimpleUploadedFile(name, content))
                summary.evidence += 1
            with _clock(_at(day, 15)):
                entry = services.entry_submit(user=staff, entry=entry, version=entry.version)
            day += datetime.timedelta(days=1)
        with _clock(_at(day, 10)):
            entry = services.entry_endorse(user=head, entry=entry, version=entry.version)
        if final and fate < 7:  # waiting for the planner
            summary.waiting += 1
            return
        day += datetime.timedelta(days=_share(item_key + "v" + str(n), 1, 4))
        if fate == 7:  # the planner sends it back; the division corrects, the head approves again
            with _clock(_at(day, 13)):
                entry = services.entry_return(user=planner, entry=entry, comment=RETURN_BY_PLANNER[n % 2], version=entry.version)
            summary.returned += 1
            day += datetime.timedelta(days=1)
            entry = save(_at(day, 10), {**data, "narrative": data["narrative"] + " " + CORRECTED})
            with _clock(_at(day, 16)):
                entry = services.entry_submit(user=head, entry=entry, version=entry.version)  # the head's own: endorsed
            day += datetime.timedelta(days=2)
        with _clock(_at(day, 14)):
            services.entry_verify(user=planner, entry=entry, verified_value=entry.value, version=entry.version,
                                  comment=EVALUATION[_share(item_key + "c" + str(n), 0, 3)])

    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        for month in months:
            n = month.number
            quarter = quarters.get(month.end)
            for ind in indicators:
                key = f"i{ind.key or ind.name}"
                if _share(key, 1, 12) == 1:
                    continue  # never reported: "not reported" on every page
                period = month
                if ind.reporting_frequency == Period.Kind.QUARTER:
                    if quarter is None:
                        continue
                    period = quarter
                if n < last and _share(key + "gap" + str(n), 0, 40) == 0:
                    continue  # a month forgotten, reported with the next one
                target = targets.get(ind.pk) or Decimal(100)
                cap = min(target * Decimal("1.1"), Decimal(100)) if is_share(ind.unit) else target * Decimal("1.1")
                data = {"value_is_cumulative": True, "narrative": NARRATIVES[_share(key + "n" + str(n), 0, 3)],
                        "obstacles": OBSTACLES[_share(key + "o" + str(n), 0, 3)]}
                listed = measures.get(ind.pk, ())
                if listed:
                    data["measures"] = {
                        m.label: min((m.target or Decimal(100)) * Decimal("1.1"), (m.target or Decimal(100)) * _to_date(key + m.label, n))
                        .quantize(Decimal("0.001")) for m in listed}
                else:
                    data["value"] = min(cap, target * _to_date(key, n)).quantize(Decimal("0.01"))
                run(key, services.Item("indicator", ind), period, n, data)
            for p in projects:
                key = f"p{p.key or p.name}"
                if _share(key, 1, 12) == 1:
                    continue
                planned = [s for s in p.work_steps.all() if s.months and s.cumulative_percent is not None]
                steps = None
                if planned:  # the work plan says which steps are done by now and how far that is
                    steps = [s for s in planned if max(s.months) <= n]
                    done = _planned_percent(planned, n)
                else:
                    done = _s_curve(key, n)
                disbursed = ((p.budget or 0) * done / 100 * Decimal("0.9")).quantize(Decimal("0.01"))
                data = {"percent_complete": done, "disbursed": disbursed,
                        "narrative": NARRATIVES[_share(key + "n" + str(n), 0, 3)],
                        "obstacles": OBSTACLES[_share(key + "o" + str(n), 0, 3)]}
                run(key, services.Item("project", p), month, n, data, steps)
    return summary
