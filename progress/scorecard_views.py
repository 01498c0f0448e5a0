from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.policy import can_oversee, scope_to_user
from indicators.calculations import explain, score
from indicators.models import Indicator
from indicators.scoring import checklist_key, rubric_levels, rubric_measures
from kpiplan.lib.thai import NumberParseError, parse_decimal
from plans.models import Period

from . import selectors
from .models import Assessment
from .scorecard import build_scorecard
from .services import ConcurrentEdit, PermissionRefused, WorkflowError, assessment_save, can_assess


@login_required
def scorecard(request):
    if not can_oversee(request.user):
        raise PermissionDenied
    plan, period, periods = selectors.plan_and_period(request)
    card = build_scorecard(plan, period)
    return render(request, "progress/scorecard.html", {"plan": plan, "period": period, "periods": periods, "card": card,
                                                       "locked": selectors.is_period_locked(plan, period)})


def _read_inputs(request_data, names, levels):
    """Measured values and confirmed checklist items from a form; errors name the field."""
    measures, errors = {}, []
    for i, name in enumerate(names):
        raw = request_data.get(f"m{i}", "")
        try:
            measures[name] = parse_decimal(raw)
        except NumberParseError:
            measures[name] = None
            errors.append(_("%(measure)s: «%(value)s» is not a number.") % {"measure": name, "value": raw})
    keys = {c.key for lv in levels for c in lv.conditions if c.kind == "checklist"}
    confirmed = {k for k in keys if request_data.get(k)}
    return measures, confirmed, errors


def _inputs(request, names, measures):
    """(field name, measure, value shown): what was typed after a POST, else what is saved."""
    if request.method == "POST":
        return [(f"m{i}", n, request.POST.get(f"m{i}", "")) for i, n in enumerate(names)]
    return [(f"m{i}", n, "" if measures[n] is None else measures[n]) for i, n in enumerate(names)]


@login_required
def assessment(request, period_id: int, indicator_id: int):
    if not can_oversee(request.user):
        raise PermissionDenied
    indicator = get_object_or_404(
        scope_to_user(Indicator.objects.filter(kind=Indicator.Kind.AGREEMENT, rubric__isnull=False), request.user)
        .select_related("rubric", "plan__organization").prefetch_related("rubric__levels__conditions"),
        pk=indicator_id,
    )
    plan = indicator.plan
    period = get_object_or_404(Period, pk=period_id, fiscal_year_id=plan.fiscal_year_id)
    levels = rubric_levels(indicator.rubric)
    names = rubric_measures(indicator.rubric)
    saved = {a.kind: a for a in Assessment.objects.filter(indicator=indicator, period=period)}
    kind = request.POST.get("kind") or request.GET.get("kind") or Assessment.Kind.SELF
    if kind not in Assessment.Kind.values:
        kind = Assessment.Kind.SELF
    errors, preview = [], False
    if request.method == "POST":
        measures, confirmed, errors = _read_inputs(request.POST, names, levels)
        if request.POST.get("action") == "save" and not errors:
            try:
                assessment_save(user=request.user, indicator=indicator, period=period, kind=kind,
                                measures=measures, confirmed=sorted(confirmed), comment=request.POST.get("comment", ""),
                                version=int(request.POST.get("version") or 0))
            except PermissionRefused:
                raise PermissionDenied from None
            except (ConcurrentEdit, WorkflowError) as exc:
                errors.append(exc.message)
            else:
                messages.success(request, _("Assessment saved."))
                return redirect(reverse("progress:assessment", args=[period.pk, indicator.pk]) + f"?kind={kind}")
        preview = True  # what-if: computed from what was typed, nothing saved
    else:
        current = saved.get(kind)
        measures = {n: parse_decimal(current.measures.get(n)) if current else None for n in names}
        confirmed = set(current.confirmed) if current else set()
    result = score(levels, measures, confirmed)
    context = {
        "plan": plan, "period": period, "indicator": indicator, "kind": kind,
        "kinds": Assessment.Kind.choices, "saved": saved, "current": saved.get(kind),
        "inputs": _inputs(request, names, measures),
        "checklists": [(checklist_key(c), c.text) for lv in indicator.rubric.levels.all()
                       for c in lv.conditions.all() if c.kind == "checklist"],
        "confirmed": confirmed, "result": result, "explanation": explain(levels, measures, confirmed),
        "errors": errors, "preview": preview, "can_save": can_assess(request.user, indicator, kind),
        "comment": request.POST.get("comment", "") if request.method == "POST" else (saved[kind].comment if kind in saved else ""),
        "version": saved[kind].version if kind in saved else 0,
    }
    return render(request, "progress/assessment.html", context, status=400 if errors else 200)
