"""Benchmark: each PDF report for the real plan and for a plan 50x larger.

For every report it prints the data assembly time (builder queries and Python), the
template time (HTML), WeasyPrint's own time on the same HTML written to a file, the
share assembly + template add to WeasyPrint's time (target: at most 20 %), the page
count and the peak memory of a process that does only that report (each report runs
in a forked child, so peaks do not pile up).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpiplan_bench SECRET_KEY=x \\
        .venv/bin/python benchmarks/bench_reports.py [--factor 50] [--skip-large]

It uses (and resets) the database named in DATABASE_URL. Record results in
docs/benchmarks.md.
"""

import argparse
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiplan.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections, transaction  # noqa: E402


def reports(plan):
    """(name, builder, template) for every PDF report of a plan, Q1 for the periodic ones."""
    from plans.models import Period
    from progress.scorecard import build_scorecard
    from reports import builders
    from reports.book import plan_book

    december = Period.objects.get(fiscal_year_id=plan.fiscal_year_id, kind="month", number=3)
    out = [
        ("plan book", lambda: plan_book(plan), "reports/book.html"),
        ("quarterly progress Q1", lambda: builders.quarterly_progress(plan, 1), "reports/quarterly.html"),
        ("scorecard (table ค)", lambda: {"plan": plan, "period": december, "card": build_scorecard(plan, december)},
         "reports/scorecard.html"),
    ]
    if hasattr(builders, "executive_summary"):
        out.append(("executive summary", lambda: builders.executive_summary(plan, 3), "reports/summary.html"))
    return out


def measure(plan_id: int, index: int) -> None:
    """In a child process: time one report and print its line."""
    import resource

    from weasyprint import HTML

    from plans.models import Plan
    from reports.pdf import render_html

    plan = Plan.objects.select_related("organization").get(pk=plan_id)
    name, build, template = reports(plan)[index]
    render_html(template, build())  # warm: compiled templates and connection, as in a running server
    start = time.perf_counter()
    context = build()
    assembled = time.perf_counter()
    html = render_html(template, context)
    rendered = time.perf_counter()
    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False, encoding="utf-8") as f:
        f.write(html)
    start_wp = time.perf_counter()
    document = HTML(filename=f.name, base_url=str(settings.BASE_DIR)).render()
    pdf = document.write_pdf()
    weasy = time.perf_counter() - start_wp
    os.unlink(f.name)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assembly, templating = assembled - start, rendered - assembled
    print(f"  {name:<24} assembly {assembly * 1000:8.0f} ms  template {templating * 1000:7.0f} ms  "
          f"WeasyPrint {weasy * 1000:9.0f} ms  (+{(assembly + templating) / weasy * 100:5.1f} %)  "
          f"{len(document.pages):5d} pages  {len(pdf) / 1024:7.0f} KiB  peak {peak_mib:6.0f} MiB", flush=True)


def run_all(plan) -> None:
    for index in range(len(reports(plan))):
        connections.close_all()  # the child opens its own connection
        pid = os.fork()
        if pid == 0:
            try:
                measure(plan.pk, index)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)


def add_q1_progress(plan) -> int:
    """Submitted Q1 reports for every reportable item, so the progress reports have rows."""
    from indicators.models import Indicator
    from plans.models import Period
    from progress.models import ProgressEntry
    from projects.models import Project

    months = list(Period.objects.filter(fiscal_year_id=plan.fiscal_year_id, kind="month", number__lte=3).order_by("number"))
    rows = []
    for ind in Indicator.objects.filter(plan=plan, division__isnull=False):
        for m in months:
            rows.append(ProgressEntry(plan=plan, period=m, indicator=ind, division_id=ind.division_id, state="submitted",
                                      value=Decimal(m.number * 3), narrative="ดำเนินการตามแผน", obstacles="-"))
    for p in Project.objects.filter(plan=plan, division__isnull=False).budget_lines():
        for m in months:
            rows.append(ProgressEntry(plan=plan, period=m, project=p, division_id=p.division_id, state="submitted",
                                      percent_complete=Decimal(m.number * 8), disbursed=(p.budget or 0) * Decimal("0.08") * m.number,
                                      narrative="เบิกจ่ายตามงวดงาน"))
    ProgressEntry.objects.bulk_create(rows)
    return len(rows)


def scaled_copy(plan, factor: int):
    """A synthetic plan with every node, indicator, project, link and step of `plan`
    copied `factor` times (bulk, no history), for a second organization."""
    from indicators.models import Baseline, Indicator, IndicatorTarget, Rubric, RubricCondition, RubricLevel
    from plans.models import Division, Organization, Plan, PlanStatement, PrintedTotal, StrategyNode
    from projects.models import KeyResultLink, Project, WorkStep

    org = Organization.objects.create(short_name="สนข.ทดสอบ×", name=f"สำนักงานเขตทดสอบ (แผนใหญ่ {factor} เท่า)", kind="district")
    big = Plan.objects.create(organization=org, fiscal_year_id=plan.fiscal_year_id, title=plan.title, area_km2=plan.area_km2)
    div_map = {}
    for d in Division.objects.filter(organization=plan.organization):
        div_map[d.pk] = Division.objects.create(organization=org, name=d.name, short_name=d.short_name, order=d.order).pk
    PlanStatement.objects.bulk_create([PlanStatement(plan=big, kind=s.kind, order=s.order, title=s.title, text=s.text)
                                       for s in PlanStatement.objects.filter(plan=plan)])
    PrintedTotal.objects.bulk_create([PrintedTotal(plan=big, section=t.section, label=t.label, amount=t.amount, count=t.count, text=t.text)
                                      for t in PrintedTotal.objects.filter(plan=plan)])
    nodes = list(StrategyNode.objects.filter(plan=plan).order_by("pk"))
    indicators = list(Indicator.objects.filter(plan=plan).order_by("pk"))
    projects = list(Project.objects.filter(plan=plan).order_by("pk"))
    for copy in range(factor):
        node_map = {}
        for n in nodes:  # parents come first (ordered by pk as loaded)
            node_map[n.pk] = StrategyNode.objects.create(
                plan=big, parent_id=node_map.get(n.parent_id), level=n.level, code=n.code, title=n.title,
                order=copy * 1000 + n.order).pk
        ind_map = {}
        for i in indicators:
            ind_map[i.pk] = Indicator.objects.create(
                plan=big, kind=i.kind, code=i.code, name=i.name, node_id=node_map.get(i.node_id), parent_id=ind_map.get(i.parent_id),
                unit=i.unit, direction=i.direction, target_text=i.target_text, target_year_text=i.target_year_text,
                definition=i.definition, formula=i.formula, evidence=i.evidence, projects_text=i.projects_text, weight=i.weight,
                component=i.component, component_title=i.component_title, summary_order=i.summary_order, part2_order=i.part2_order,
                division_id=div_map.get(i.division_id), order=copy * 1000 + i.order).pk
        IndicatorTarget.objects.bulk_create([IndicatorTarget(indicator_id=ind_map[t.indicator_id], fiscal_year=t.fiscal_year, value=t.value,
                                                             unit=t.unit, label=t.label, order=t.order)
                                             for t in IndicatorTarget.objects.filter(indicator__plan=plan)])
        Baseline.objects.bulk_create([Baseline(indicator_id=ind_map[b.indicator_id], year=b.year, value=b.value, unit=b.unit,
                                               label=b.label, text=b.text)
                                      for b in Baseline.objects.filter(indicator__plan=plan)])
        for r in Rubric.objects.filter(indicator__plan=plan).prefetch_related("levels__conditions"):
            rubric = Rubric.objects.create(indicator_id=ind_map[r.indicator_id], title=r.title, note=r.note)
            for lv in r.levels.all():
                level = RubricLevel.objects.create(rubric=rubric, level=lv.level, threshold_text=lv.threshold_text,
                                                   threshold_percent=lv.threshold_percent, description=lv.description, points=lv.points)
                RubricCondition.objects.bulk_create([RubricCondition(level=level, kind=c.kind, measure=c.measure, operator=c.operator,
                                                                     value=c.value, unit=c.unit, text=c.text, order=c.order)
                                                     for c in lv.conditions.all()])
        proj_map = {}
        for p in projects:
            proj_map[p.pk] = Project.objects.create(
                plan=big, section=p.section, parent_id=proj_map.get(p.parent_id), sequence=p.sequence, number=p.number, name=p.name,
                budget=p.budget, budget_text=p.budget_text, division_id=div_map.get(p.division_id), division_text=p.division_text,
                strategy_code=p.strategy_code, policy_text=p.policy_text, node_id=node_map.get(p.node_id),
                order=copy * 1000 + p.order).pk
        KeyResultLink.objects.bulk_create([
            KeyResultLink(plan=big, objective_id=node_map.get(k.objective_id), indicator_id=ind_map.get(k.indicator_id),
                          kr_text=k.kr_text, unit=k.unit, target_text=k.target_text, project_id=proj_map.get(k.project_id),
                          project_text=k.project_text, budget=k.budget, budget_text=k.budget_text,
                          project_kpi_target=k.project_kpi_target, order=k.order)
            for k in KeyResultLink.objects.filter(plan=plan)])
        WorkStep.objects.bulk_create([WorkStep(project_id=proj_map[s.project_id], number=s.number, name=s.name, weight=s.weight,
                                               cumulative_percent=s.cumulative_percent, months=s.months)
                                      for s in WorkStep.objects.filter(project__plan=plan)])
    return big


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--factor", type=int, default=50)
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    if "postgres" not in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...)")
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("loadplan", verbosity=0, stdout=devnull)
    from plans.models import Plan

    plan = Plan.objects.select_related("organization").get(organization__short_name="สนข.ภาษีเจริญ")
    with transaction.atomic():
        n = add_q1_progress(plan)
    print(f"Real FY {plan.fiscal_year_id} plan ({n} submitted Q1 reports):")
    run_all(plan)
    if args.skip_large:
        return
    start = time.perf_counter()
    with transaction.atomic():
        big = scaled_copy(plan, args.factor)
        n = add_q1_progress(big)
    print(f"Plan {args.factor}x larger (built in {time.perf_counter() - start:.1f} s; {n} submitted Q1 reports):")
    run_all(big)


if __name__ == "__main__":
    main()
