"""Synthetic but plausible city-scale data for measuring: N district organizations, each
with the loaded Phasi Charoen plan's structure copied for Y fiscal years, and a year of
progress reports per plan. For benchmarks only; nothing in production uses it.

Every row is written with bulk_create, one organization per transaction, so memory stays
bounded by one plan's rows. No history rows are written (bulk_create sends no signals).
Values are deterministic per --seed: the same seed gives the same numbers.
"""

from __future__ import annotations

import copy
import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from indicators.models import Baseline, Indicator, IndicatorTarget
from kpiplan.lib.thai import to_thai_digits
from plans.models import Division, FiscalYear, Organization, Period, Plan, StrategyNode, WorkGroup
from progress.models import ProgressEntry, State
from progress.plausibility import is_share
from progress.services import measures_json
from progress.status import _main_targets, measure_targets
from projects.models import KeyResultLink, Project, ProjectIndicator, WorkStep

SOURCE_ORGANIZATION = "สนข.ภาษีเจริญ"
PREFIX = "สนข.จำลอง"  # every synthetic organization's short name starts with it
MARK = "generate_city"  # and its notes say so
BATCH = 2000

NARRATIVES = [
    "ดำเนินการตามแผน",
    "ดำเนินการแล้วเสร็จตามขั้นตอนที่กำหนด ประสานฝ่ายที่เกี่ยวข้องและรายงานผลต่อผู้อำนวยการเขต",
    "อยู่ระหว่างจัดซื้อจัดจ้าง คาดว่าจะลงนามในสัญญาภายในเดือนถัดไป",
    "ลงพื้นที่ตรวจสอบร่วมกับชุมชน ๑๒ ชุมชน และจัดทำรายงานสรุปผลการดำเนินงานประจำเดือน",
    "ดำเนินการล่าช้ากว่าแผนเล็กน้อย เนื่องจากรอผลการพิจารณาจากสำนักที่เกี่ยวข้อง",
]
OBSTACLES = ["", "", "", "ฝนตกหนักทำให้การดำเนินงานล่าช้า", "งบประมาณได้รับการจัดสรรล่าช้า"]
STEPS = [  # work steps given to a budget line the real plan prints none for: (name, weight, months)
    ("วางแผนและขออนุมัติโครงการ", Decimal(10), [1, 2]),
    ("จัดซื้อจัดจ้าง", Decimal(20), [2, 3, 4]),
    ("ดำเนินการตามโครงการ", Decimal(55), [4, 5, 6, 7, 8, 9, 10]),
    ("ติดตามและประเมินผล", Decimal(15), [10, 11, 12]),
]
# State of a stored report by a uniform draw: mostly approved, some on the way, a few back.
STATES = [(0.80, State.APPROVED), (0.86, State.ENDORSED), (0.93, State.SUBMITTED), (0.96, State.RETURNED),
          (1.01, State.DRAFT)]
MISSING_ITEM = 0.06  # share of items a division never reports in a year
MISSING_MONTH = 0.03  # share of the remaining item-months left unreported


def _state(rng: random.Random) -> str:
    draw = rng.random()
    return next(state for limit, state in STATES if draw < limit)


def _clone(obj, **changes):
    new = copy.copy(obj)
    new.pk = new.id = None
    new._state = copy.copy(obj._state)
    new._state.adding = True
    new._state.db = None
    for name, value in changes.items():
        setattr(new, name, value)
    return new


def _raw_delete(qs) -> int:
    """DELETE the rows of `qs` and, first, every row that refers to them (reverse foreign
    keys and many-to-many rows, recursively), in SQL: the ORM's delete() would load every
    row and write a history row for each. History tables hold no rows of ours."""
    model = qs.model
    for rel in model._meta.related_objects:
        if not getattr(rel.field, "db_constraint", True) or rel.related_model._meta.label.split(".")[1].startswith("Historical"):
            continue
        if rel.many_to_many:
            through = rel.through
            _raw_delete(through._base_manager.filter(**{f"{rel.field.m2m_reverse_field_name()}__in": qs.values("pk")}))
        elif rel.related_model is not model:
            _raw_delete(rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": qs.values("pk")}))
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        _raw_delete(through._base_manager.filter(**{f"{field.m2m_field_name()}__in": qs.values("pk")}))
    sql, params = qs.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{model._meta.db_table}" WHERE "{model._meta.pk.column}" IN ({sql})', params)
        return cursor.rowcount


def synthetic_organizations():
    return Organization.objects.filter(short_name__startswith=PREFIX, notes=MARK)


class Source:
    """The real plan's structure, read once and kept in memory (a few hundred rows)."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.organization = plan.organization
        self.divisions = list(Division.objects.filter(organization=self.organization).order_by("order", "pk"))
        self.groups = list(WorkGroup.objects.filter(division__in=self.divisions).order_by("pk"))
        self.nodes = list(StrategyNode.objects.filter(plan=plan).order_by("pk"))
        self.indicators = list(Indicator.objects.filter(plan=plan).order_by("pk"))
        self.targets = list(IndicatorTarget.objects.filter(indicator__plan=plan).order_by("pk"))
        self.baselines = list(Baseline.objects.filter(indicator__plan=plan).order_by("pk"))
        self.projects = list(Project.objects.filter(plan=plan).order_by("pk"))
        self.steps = list(WorkStep.objects.filter(project__plan=plan).order_by("pk"))
        self.links = list(ProjectIndicator.objects.filter(project__plan=plan).order_by("pk"))
        self.kr_links = list(KeyResultLink.objects.filter(plan=plan).order_by("pk"))
        self.policies = list(Project.policies.through.objects.filter(project__plan=plan).order_by("pk"))
        self.main_targets = _main_targets(self.indicators)
        self.measures = measure_targets(self.indicators)
        leaves = set(Project.objects.filter(plan=plan).budget_lines().values_list("pk", flat=True))
        self.budget_lines = [p for p in self.projects if p.pk in leaves and p.division_id]
        self.reported = [i for i in self.indicators if i.division_id]
        with_steps = {s.project_id for s in self.steps}
        self.stepless = [p for p in self.budget_lines if p.pk not in with_steps]


class Command(BaseCommand):
    help = ("Make synthetic city-scale data for benchmarks: N district organizations with the loaded "
            "Phasi Charoen plan's structure and Y fiscal years of monthly progress reports.")

    def add_arguments(self, parser):
        parser.add_argument("--organizations", type=int, default=50)
        parser.add_argument("--years", type=int, default=5, help="Fiscal years, ending at the loaded plan's year.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--replace", action="store_true", help="Delete earlier synthetic organizations first.")
        parser.add_argument("--allow-sqlite", action="store_true", help="Run on the embedded SQLite database too.")

    def handle(self, *args, organizations, years, seed, replace, allow_sqlite, **options):
        if connection.vendor == "sqlite" and not allow_sqlite:
            raise CommandError(_(
                "generate_city makes city-scale data for benchmarks on PostgreSQL; this database is the "
                "embedded SQLite one (add --allow-sqlite if you really mean it)."))
        if organizations < 1 or years < 1:
            raise CommandError(_("Organizations (--organizations) and years (--years): each must be at least 1."))
        plan = (Plan.objects.select_related("organization").filter(organization__short_name=SOURCE_ORGANIZATION)
                .order_by("-fiscal_year_id").first())
        if plan is None:
            raise CommandError(_("The plan of %(org)s is not loaded; load it with loadplan first.")
                               % {"org": SOURCE_ORGANIZATION})
        started = time.perf_counter()
        existing = synthetic_organizations()
        if existing.exists():
            if not replace:
                raise CommandError(_("Synthetic organizations: %(count)s already exist; use --replace to delete them "
                                     "and generate again.") % {"count": existing.count()})
            with transaction.atomic():
                _raw_delete(Plan.objects.filter(organization__in=existing))
                _raw_delete(Division.objects.filter(organization__in=existing))
                _raw_delete(existing)
            self.stdout.write(f"deleted earlier synthetic data in {time.perf_counter() - started:.1f} s")
        source = Source(plan)
        fiscal_years = list(range(plan.fiscal_year_id - years + 1, plan.fiscal_year_id + 1))
        periods = {}
        for year in fiscal_years:
            FiscalYear.ensure(year)
            found = Period.objects.filter(fiscal_year_id=year).exclude(kind=Period.Kind.YEAR).order_by("number")
            periods[year] = {kind: [p for p in found if p.kind == kind] for kind in (Period.Kind.MONTH, Period.Kind.QUARTER)}
        self.counts: dict[str, int] = {}
        self.models: set = set()
        for number in range(1, organizations + 1):
            tick = time.perf_counter()
            with transaction.atomic():
                self._organization(source, number, fiscal_years, periods, seed)
            if options["verbosity"] >= 2:
                self.stdout.write(f"organization {number}: {time.perf_counter() - tick:.1f} s")
        if connection.vendor == "postgresql":  # fresh statistics, so the planner sees the new size at once
            with connection.cursor() as cursor:
                for model in self.models:
                    cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        counts = ", ".join(f"{k}: {v}" for k, v in self.counts.items())
        self.stdout.write(self.style.SUCCESS(
            f"generated {organizations} organizations x {len(fiscal_years)} years in "
            f"{time.perf_counter() - started:.1f} s ({counts})"))

    def _bulk(self, model, rows):
        model.objects.bulk_create(rows, batch_size=BATCH)
        self.counts[model._meta.model_name] = self.counts.get(model._meta.model_name, 0) + len(rows)
        self.models.add(model)
        return rows

    def _organization(self, source: Source, number: int, fiscal_years, periods, seed: int):
        real = source.organization
        org = self._bulk(Organization, [Organization(
            short_name=f"{PREFIX}{number:02d}", name=f"สำนักงานเขตจำลอง {number}", kind=Organization.Kind.DISTRICT,
            code=f"99{number:04d}00", parent_id=real.parent_id, notes=MARK)])[0]
        new_divisions = self._bulk(Division, [_clone(d, organization_id=org.pk) for d in source.divisions])
        divisions = {old.pk: new.pk for old, new in zip(source.divisions, new_divisions, strict=True)}
        new_groups = self._bulk(WorkGroup, [_clone(g, division_id=divisions[g.division_id]) for g in source.groups])
        groups = {old.pk: new.pk for old, new in zip(source.groups, new_groups, strict=True)}
        for year in fiscal_years:
            rng = random.Random(f"{seed}:{number}:{year}")
            plan = self._bulk(Plan, [_clone(source.plan, organization_id=org.pk, fiscal_year_id=year,
                                            title=source.plan.title.replace(to_thai_digits(source.plan.fiscal_year_id),
                                                                            to_thai_digits(year)))])[0]
            self._plan(source, org, plan, divisions, groups, periods[year], rng)

    def _plan(self, source: Source, org, plan, divisions, groups, periods, rng: random.Random):
        def agency(pk):
            return org.pk if pk == source.organization.pk else pk

        new_nodes = self._bulk(StrategyNode, [_clone(n, plan_id=plan.pk, parent_id=None) for n in source.nodes])
        nodes = {old.pk: new.pk for old, new in zip(source.nodes, new_nodes, strict=True)}
        self._relink(StrategyNode, source.nodes, new_nodes, nodes, ["parent_id"])

        new_indicators = self._bulk(Indicator, [_clone(
            i, plan_id=plan.pk, parent_id=None, node_id=nodes.get(i.node_id), lead_agency_id=agency(i.lead_agency_id),
            lead_division_id=divisions.get(i.lead_division_id), division_id=divisions.get(i.division_id))
            for i in source.indicators])
        indicators = {old.pk: new.pk for old, new in zip(source.indicators, new_indicators, strict=True)}
        self._relink(Indicator, source.indicators, new_indicators, indicators, ["parent_id"])
        self._bulk(IndicatorTarget, [_clone(t, indicator_id=indicators[t.indicator_id], agency_id=agency(t.agency_id))
                                     for t in source.targets])
        self._bulk(Baseline, [_clone(b, indicator_id=indicators[b.indicator_id]) for b in source.baselines])

        scale = Decimal(rng.randint(80, 125)) / 100  # this district's budgets against the real one's
        new_projects = self._bulk(Project, [_clone(
            p, plan_id=plan.pk, parent_id=None, same_as_id=None, node_id=nodes.get(p.node_id),
            division_id=divisions.get(p.division_id), work_group_id=groups.get(p.work_group_id),
            budget=None if p.budget is None else (p.budget * scale).quantize(Decimal(1000)))
            for p in source.projects])
        projects = {old.pk: new.pk for old, new in zip(source.projects, new_projects, strict=True)}
        budgets = {old.pk: new.budget for old, new in zip(source.projects, new_projects, strict=True)}
        self._relink(Project, source.projects, new_projects, projects, ["parent_id", "same_as_id"])
        steps = [_clone(s, project_id=projects[s.project_id]) for s in source.steps]
        steps += [WorkStep(project_id=projects[p.pk], number=n, name=name, weight=weight, months=months)
                  for p in source.stepless for n, (name, weight, months) in enumerate(STEPS, start=1)]
        self._bulk(WorkStep, steps)
        self._bulk(ProjectIndicator, [_clone(link, project_id=projects[link.project_id],
                                             indicator_id=indicators[link.indicator_id]) for link in source.links])
        self._bulk(KeyResultLink, [_clone(
            k, plan_id=plan.pk, area_id=nodes.get(k.area_id), objective_id=nodes.get(k.objective_id),
            indicator_id=indicators.get(k.indicator_id), project_id=projects.get(k.project_id)) for k in source.kr_links])
        through = Project.policies.through
        self._bulk(through, [through(project_id=projects[r.project_id], policy_id=r.policy_id) for r in source.policies])

        entries = []
        for ind in source.reported:
            if rng.random() < MISSING_ITEM:
                continue
            reporting = periods.get(ind.reporting_frequency) or periods[Period.Kind.MONTH]
            target = source.main_targets.get(ind.pk) or Decimal(100)
            measures = source.measures.get(ind.pk, ())
            share = is_share(ind.unit)
            lower = ind.direction == Indicator.Direction.LOWER
            steps_per_year = len(reporting)
            pace = rng.uniform(0.75, 1.2)  # share of the year's target this district reaches by the year's end
            reached = {m.label: Decimal(0) for m in measures}
            total = Decimal(0)
            for period in reporting:
                # cumulative: each period adds its part of the target, a little more or less
                part = Decimal(pace * rng.uniform(0.5, 1.5) / steps_per_year)
                if lower:  # a level around the target, not a running total
                    total = target * Decimal(rng.uniform(0.6, 1.3))
                else:
                    total += target * part
                for m in measures:
                    reached[m.label] += (m.target or Decimal(100)) * Decimal(pace * rng.uniform(0.5, 1.5) / steps_per_year)
                if rng.random() < MISSING_MONTH:
                    continue
                by_measure = {label: v.quantize(Decimal("0.001")) for label, v in reached.items()}
                value = sum(by_measure.values(), Decimal(0)) if by_measure else total
                if share:
                    value = min(value, Decimal(100))
                entries.append(self._entry(plan, period, rng, indicator_id=indicators[ind.pk],
                                           division_id=divisions[ind.division_id], value=value.quantize(Decimal("0.01")),
                                           value_is_cumulative=not lower, measure_values=measures_json(by_measure)))
        months = periods[Period.Kind.MONTH]
        for p in source.budget_lines:
            if rng.random() < MISSING_ITEM:
                continue
            monthly = rng.uniform(4, 12)  # percent of the work done per month
            lag = Decimal(rng.uniform(0.6, 0.95))  # disbursement trails the work
            done = 0.0
            budget = budgets[p.pk]
            for period in months:
                done = min(100.0, done + monthly * rng.uniform(0.5, 1.5))
                if rng.random() < MISSING_MONTH:
                    continue
                percent = Decimal(done).quantize(Decimal("0.01"))
                disbursed = None if budget is None else (budget * percent / 100 * lag).quantize(Decimal("0.01"))
                entries.append(self._entry(plan, period, rng, project_id=projects[p.pk],
                                           division_id=divisions[p.division_id], percent_complete=percent,
                                           disbursed=disbursed))
        self._bulk(ProgressEntry, entries)

    @staticmethod
    def _entry(plan, period, rng, **fields):
        import datetime

        state = _state(rng)
        submitted = None
        if state not in (State.DRAFT, State.RETURNED):
            submitted = datetime.datetime.combine(period.end + datetime.timedelta(days=rng.randint(1, 10)),
                                                  datetime.time(10), tzinfo=datetime.UTC)
        approved = submitted + datetime.timedelta(days=rng.randint(1, 7)) if state == State.APPROVED else None
        return ProgressEntry(plan_id=plan.pk, period_id=period.pk, state=state, submitted_at=submitted, approved_at=approved,
                             narrative=NARRATIVES[rng.randrange(len(NARRATIVES))],
                             obstacles=OBSTACLES[rng.randrange(len(OBSTACLES))], **fields)

    @staticmethod
    def _relink(model, old_rows, new_rows, mapping, fields):
        """Point self-references (a node's parent, a project's parent) at the copies."""
        changed = []
        for old, new in zip(old_rows, new_rows, strict=True):
            touched = False
            for field in fields:
                value = getattr(old, field)
                if value is not None:
                    setattr(new, field, mapping.get(value))
                    touched = True
            if touched:
                changed.append(new)
        if changed:
            model.objects.bulk_update(changed, [f.removesuffix("_id") for f in fields], batch_size=BATCH)
