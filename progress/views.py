from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import policy
from accounts.policy import can_oversee, scope_to_user
from accounts.roles import user_division, user_organization
from indicators.models import Indicator
from kpiplan import lists
from kpiplan.lib.thai import to_thai_digits
from kpiplan.uploads import PendingUploads
from plans.models import Period
from projects.models import Project, WorkStep
from traffy.proposal import proposal_for

from . import entry_context, selectors
from .forms import (
    BulkVerifyCommentForm,
    ProgressForm,
    ReopenForm,
    ReopenRequestForm,
    ReturnForm,
    VerifyForm,
    VerifyRowFormSet,
)
from .models import Evidence, ProgressEntry, ReopenRequest, State
from .project_views import work_plan_chart
from .services import (
    ConcurrentEdit,
    ImpossibleValue,
    Item,
    NeedsExplanation,
    NeedsProposalReason,
    PermissionRefused,
    WorkflowError,
    can_edit_item,
    can_view_content,
    can_view_item,
    entries_endorse_all,
    entries_submit_all,
    entries_verify_all,
    entry_endorse,
    entry_return,
    entry_save,
    entry_submit,
    entry_verify,
    evidence_add,
    evidence_remove,
    is_head_of,
    is_planner_of,
    period_lock,
    period_reopen,
    prepare_evidence,
    reopen_request_create,
    submit_problems,
)
from .status import measure_targets, targets_of


def _get_item_for_user(user, period_id: int, kind: str, item_id: int):
    """The item and period, if the user may see them; 404 otherwise, so other
    divisions' and organizations' items do not even reveal that they exist."""
    if kind == "indicator":
        obj = get_object_or_404(scope_to_user(Indicator.objects.select_related("plan__organization", "division"), user), pk=item_id)
    elif kind == "project":
        obj = get_object_or_404(scope_to_user(Project.objects.select_related("plan__organization", "division"), user), pk=item_id)
    else:
        raise Http404
    item = Item(kind, obj)
    plan = obj.plan
    if obj.division_id is None or not can_view_item(user, plan, item):
        raise Http404
    period = get_object_or_404(Period, pk=period_id, fiscal_year_id=plan.fiscal_year_id)
    return plan, period, item


def _entry_back(user, plan, period) -> dict:
    """Where a report's page leads back to: the division's work, the planner's review, or
    (executives, the city executive) the organization's completeness."""
    if user_division(user):
        return {"back_url": f"{reverse('progress:my-work')}?period={period.pk}", "back_label": _("My work")}
    if policy.allowed(user, "progress.review"):
        return {"back_url": f"{reverse('progress:review')}?period={period.pk}", "back_label": _("Review reports")}
    return {"back_url": f"{reverse('progress:completeness')}?plan={plan.pk}&period={period.pk}",
            "back_label": _("Completeness")}


@login_required
def home(request):
    """What to do now, per role (progress.home), above the plans the user may open."""
    from . import home as homes

    user = request.user
    plans = list(selectors.plans_for_user(user))
    wanted = request.GET.get("plan")
    plan = next((p for p in plans if str(p.pk) == wanted), None) if wanted else (plans[0] if plans else None)
    role = homes.home_role(user, plan)
    context = {
        "plans": plans, "plan": plan, "role": role,
        "organization": user_organization(user),
        "can_check": policy.allowed(user, "plans.check"),
        "can_oversee": policy.allowed(user, "progress.oversee"),
        "can_import_plan": policy.allowed(user, "plans.import"),
        "can_import_traffy": policy.allowed(user, "traffy.import"),
        # Reports are made in the background for the own organization's plans; a reader
        # of every organization (the city executive) downloads the others' while waiting.
        "may_request": {p.pk for p in plans if policy.allowed(user, "organization.same", p)},
    }
    if role == "head":
        context["work"] = homes.head_home(plan, user_division(user))
    elif role == "staff":
        context["work"] = homes.staff_home(plan, user_division(user))
    elif role == "planner":
        context["work"] = homes.planner_home(plan)
    elif role == "executive":
        context["now"] = homes.executive_home(plan)
    if "work" in context:
        context["now"] = context["work"].now
    return render(request, "home.html", context)


@login_required
def my_work(request):
    division = user_division(request.user)
    if division is None:
        if can_oversee(request.user):
            return redirect("progress:completeness")
        raise PermissionDenied
    plan, period, periods = selectors.plan_and_period(request)
    items = selectors.items_for(plan, period, division)
    rows = selectors.with_district_targets(selectors.rows_for(plan, period, items))
    is_head = is_head_of(request.user, division.pk)
    return render(request, "progress/my_work.html", {
        "plan": plan, "period": period, "periods": periods, "rows": rows, "division": division,
        "is_head": is_head,
        "is_author": policy.allowed(request.user, "progress.author"),
        # A planner (or anyone else with a division who does not write reports) reads it.
        "reads_only": not policy.allowed(request.user, "progress.write"),
        "is_planner": policy.allowed(request.user, "progress.review"),
        "locked": selectors.is_period_locked(plan, period),
        "due": selectors.due_date(plan, period),
        "submitted": sum(1 for r in rows if r.state == State.SUBMITTED),
        "complete_drafts": sum(1 for r in rows if r.state == State.DRAFT and not submit_problems(r.entry)),
        "reopen_requests": list(ReopenRequest.objects.filter(organization_id=plan.organization_id, period=period,
                                                             division=division)
                                .select_related("requested_by", "answered_by")),
        "reopen_form": ReopenRequestForm(),
    })


def _render_entry(request, plan, period, item, entry, form=None, return_form=None, verify_form=None, error=None, status=200,
                  unusual=None):
    steps = WorkStep.objects.filter(project=item.obj) if item.kind == "project" else WorkStep.objects.none()
    measures = _measures(item)
    locked = selectors.is_period_locked(plan, period)
    content_visible = can_view_content(request.user, entry)
    editable = can_edit_item(request.user, plan, item) and (entry is None or entry.is_editable) and not locked
    version = entry.version if entry else 0
    if form is None and editable:
        initial = {"version": version}
        if entry:
            initial.update({f: getattr(entry, f) for f in ("value", "value_is_cumulative", "narrative", "obstacles",
                                                            "suggestions", "percent_complete", "disbursed")})
            initial["steps_done"] = list(entry.steps_done.values_list("pk", flat=True))
            initial.update({ProgressForm.measure_field(i): entry.measures.get(m.label) for i, m in enumerate(measures)})
            if entry.implausible_reason:  # confirmed before: saving again keeps the confirmation
                initial.update(implausible_confirmed=True, implausible_note=entry.implausible_note,
                               implausible_seen=entry.implausible_reason)
        elif item.kind == "indicator":
            initial["value_is_cumulative"] = item.obj.cumulative
        form = ProgressForm(initial=initial, item=item, steps=steps, measures=measures)
    if unusual is None and form is not None and "implausible_seen" in form.fields:
        # The warning about an unusual result stays with the form until the value changes.
        unusual = (form.data.get("implausible_seen") if form.is_bound else form.initial.get("implausible_seen")) or None
    kept = []
    if form is not None and form.is_bound and not editable:
        # The report changed under the user (e.g. submitted by someone else): show what
        # they typed so nothing is lost, even though it can no longer be saved here.
        kept = [(form.fields[n].label, form.data.get(n)) for n in ("value", "narrative", "obstacles", "suggestions",
                                                                     "percent_complete", "disbursed")
                if n in form.fields and form.data.get(n)]
    head = entry is not None and is_head_of(request.user, entry.division_id)
    planner = entry is not None and is_planner_of(request.user, plan)
    done_steps = set(entry.steps_done.values_list("pk", flat=True)) if entry and content_visible else set()
    seen = entry if content_visible else None
    if item.kind == "indicator":
        about = entry_context.indicator_context(request.user, item.obj, period, seen)
        chart = ""
    else:
        about = entry_context.project_context(request.user, item.obj, period, seen, done_steps)
        chart = mark_safe(work_plan_chart(about.curve)) if about.steps or about.curve.latest is not None else ""  # noqa: S308 - built from numbers and escaped labels
    proposal = traffy_url = None
    if item.kind == "indicator" and content_visible:
        proposal = proposal_for(item.obj, period, cumulative=entry.value_is_cumulative if entry else item.obj.cumulative)
        if proposal is not None and policy.allowed(request.user, "traffy.view", plan.organization):
            fiscal_year = period.fiscal_year_id
            traffy_url = (f"{reverse('traffy:organization', args=[plan.organization_id])}"
                          f"?year={fiscal_year}&month={proposal.month_param}#month")
    context = {
        "proposal": proposal, "traffy_url": traffy_url, "proposal_fields": ProgressForm.PROPOSAL_FIELDS,
        "plan": plan, "period": period, "item": item, "entry": entry if content_visible else None,
        "state_label": State(entry.state).label if entry else State.NOT_STARTED.label,
        "form": form if editable else None, "editable": editable, "locked": locked, "version": version,
        "unusual": unusual, "unusual_fields": ProgressForm.UNUSUAL_FIELDS,
        "can_submit": editable,
        "can_endorse": head and not locked and entry.state in (State.SUBMITTED, State.DRAFT),
        "can_return": not locked and entry is not None and (
            (head and entry.state in (State.SUBMITTED, State.ENDORSED)) or (planner and entry.state == State.ENDORSED)),
        "can_verify": planner and not locked and entry.state == State.ENDORSED,
        "return_form": return_form or ReturnForm(initial={"version": version}),
        "verify_form": verify_form or VerifyForm(initial={
            "version": version, "verified_value": entry.value if entry else None,
            **{f"verified_measure_{i}": entry.measures.get(m.label) for i, m in enumerate(measures) if entry}},
            measures=measures),
        "measures": _measure_lines(measures, entry if content_visible else None),
        # The warning about an unusual result goes under the last result box.
        "unusual_after": ProgressForm.measure_field(len(measures) - 1) if measures else "value",
        "history": selectors.history_for(entry) if entry and content_visible else [],
        "evidence": list(entry.evidence.all()) if entry and content_visible else [],
        "done_steps": done_steps,
        "about": about, "chart": chart,
        "error": error,
        "kept": kept,
        **_entry_back(request.user, plan, period),
        "due": selectors.due_date(plan, period),
        # The district's own target, as the status and the plausibility checks judge it.
        "targets": targets_of(item.obj) if item.kind == "indicator" else None,
    }
    return render(request, "progress/entry.html", context, status=status)


def _measures(item) -> list:
    """The measures of an indicator whose target has several (each its own box and target)."""
    if item.kind != "indicator":
        return []
    return measure_targets([item.obj]).get(item.obj.pk, [])


def _measure_lines(measures, entry) -> list[dict]:
    """What the entry page shows per measure: its targets and the reported and verified values."""
    reported = entry.measures if entry else {}
    verified = entry.verified_measures if entry else {}
    return [{"measure": m, "value": reported.get(m.label), "verified": verified.get(m.label)} for m in measures]


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
def entry(request, period_id: int, kind: str, item_id: int):
    plan, period, item = _get_item_for_user(request.user, period_id, kind, item_id)
    lookup = {"indicator": item.obj} if kind == "indicator" else {"project": item.obj}
    current = ProgressEntry.objects.filter(period=period, **lookup).select_related("plan", "period").first()
    if request.method != "POST":
        return _render_entry(request, plan, period, item, current)

    action = request.POST.get("action", "save")
    here = reverse("progress:entry", args=[period.pk, kind, item.obj.pk])
    steps = WorkStep.objects.filter(project=item.obj) if kind == "project" else WorkStep.objects.none()
    form = return_form = verify_form = None
    try:
        if _version(request) is None:  # every write says which version it started from
            raise ConcurrentEdit(_("The page did not say which version of the report you started from, so nothing "
                                   "was saved (it could overwrite someone else's work); reload the page and apply it again."))
        if action in ("save", "submit"):
            form = ProgressForm(request.POST, request.FILES, item=item, steps=steps, measures=_measures(item))
            if not form.is_valid():
                return _render_entry(request, plan, period, item, current, form=form,
                                     error=_("Please correct the fields marked below; nothing was saved."))
            data = form.cleaned_data
            # Every file is checked (and a large photo made smaller) before anything is saved.
            prepared = [prepare_evidence(upload) for upload in data.get("evidence") or []]
            saved = entry_save(user=request.user, plan=plan, period=period, item=item, data=data,
                               steps_done=list(data["steps_done"]) if "steps_done" in data else None,
                               version=data.get("version"))
            for upload in prepared:
                evidence_add(user=request.user, entry=saved, upload=upload)
            if action == "submit":
                saved = entry_submit(user=request.user, entry=saved, version=saved.version)
                messages.success(request, _("Submitted: %(state)s.") % {"state": saved.get_state_display()})
            else:
                messages.success(request, _("Saved as a draft."))
        elif current is None:
            raise WorkflowError(_("There is no report to act on yet."))
        elif action == "endorse":
            entry_endorse(user=request.user, entry=current, version=_version(request))
            messages.success(request, _("Approved and forwarded to the planner."))
        elif action == "return":
            return_form = ReturnForm(request.POST)
            entry_return(user=request.user, entry=current, comment=request.POST.get("comment", ""), version=_version(request))
            messages.success(request, _("Returned with your comment."))
        elif action == "verify":
            verify_form = VerifyForm(request.POST, measures=_measures(item))
            if not verify_form.is_valid():
                return _render_entry(request, plan, period, item, current, verify_form=verify_form,
                                     error=_("Please correct the fields marked below; nothing was saved."))
            entry_verify(user=request.user, entry=current, verified_value=verify_form.cleaned_data["verified_value"],
                         comment=verify_form.cleaned_data["evaluation_comment"], version=verify_form.cleaned_data["version"],
                         verified_measures=verify_form.cleaned_data.get("verified_measures"))
            messages.success(request, _("Verified and approved."))
        else:
            raise Http404
    except PermissionRefused:
        raise PermissionDenied from None
    except ImpossibleValue as exc:
        form.add_error(exc.field, exc.detail)
        return _render_entry(request, plan, period, item, current, form=form, error=exc.message, status=400)
    except NeedsProposalReason as exc:
        form.add_error("proposal_note", exc.detail)
        return _render_entry(request, plan, period, item, current, form=form, error=exc.message, status=400)
    except NeedsExplanation as exc:
        seen_before = form.data.get("implausible_seen") == exc.reason
        form.data = form.data.copy()
        if not seen_before:  # a tick given for another warning confirms nothing here
            form.data.pop("implausible_confirmed", None)
        form.data["implausible_seen"] = exc.reason
        if seen_before:  # the second time: say which of the two is missing
            if exc.note_missing:
                form.add_error("implausible_note", _("Write why the result is correct."))
            if not form.cleaned_data.get("implausible_confirmed"):
                form.add_error("implausible_confirmed", _("Tick the box to confirm the result."))
        return _render_entry(request, plan, period, item, current, form=form, error=exc.message, status=400,
                             unusual=exc.shown)
    except WorkflowError as exc:
        current = ProgressEntry.objects.filter(period=period, **lookup).select_related("plan", "period").first()
        status = 409 if isinstance(exc, ConcurrentEdit) else 400
        # The bound form goes back to the page: everything the user typed stays there.
        return _render_entry(request, plan, period, item, current, form=form, return_form=return_form,
                             verify_form=verify_form, error=exc.message, status=status)
    return redirect(here)


def _versions(text: str) -> dict[int, int]:
    """The "id:version,..." a confirmation page carried, in its order; malformed parts
    are dropped (the service then finds the list changed and does nothing)."""
    versions = {}
    for part in (text or "").split(","):
        entry_id, _sep, version = part.partition(":")
        if entry_id.isdigit() and version.isdigit():
            versions[int(entry_id)] = int(version)
    return versions


def _names(entries) -> str:
    return "; ".join(str(e.item) for e in entries)


def _bulk_page(request, *, plan, period, periods, preview, title, intro, confirm_label, skipped_label, action_url,
               error=None, status=200):
    return render(request, "progress/bulk_confirm.html", {
        "plan": plan, "period": period, "periods": periods, "preview": preview, "title": title, "intro": intro,
        "confirm_label": confirm_label, "skipped_label": skipped_label, "action_url": action_url,
        "locked": selectors.is_period_locked(plan, period), "error": error,
        "back_url": f"{reverse('progress:my-work')}?period={period.pk}",
    }, status=status)


def _bulk_action(request, *, plan, period, periods, make_preview, act, page, done_message):
    """GET (or a POST without the confirm flag) shows what will happen; a POST with it acts
    on exactly the listed reports, at the versions shown, or does nothing."""
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            done = act(user=request.user, plan=plan, period=period, versions=_versions(request.POST.get("versions", "")))
        except PermissionRefused:
            raise PermissionDenied from None
        except WorkflowError as exc:
            return _bulk_page(request, plan=plan, period=period, periods=periods, preview=make_preview(), error=exc.message,
                              status=409 if isinstance(exc, ConcurrentEdit) else 400, **page)
        messages.success(request, done_message(len(done)) % {"n": to_thai_digits(len(done)), "names": _names(done)})
        return redirect(f"{reverse('progress:my-work')}?period={period.pk}")
    return _bulk_page(request, plan=plan, period=period, periods=periods, preview=make_preview(), **page)


@login_required
def submit_all(request, period_id: int):
    """Staff submit every complete draft of the period to their head, after seeing which."""
    plan, period, periods = selectors.plan_and_period(request, period_id)
    division = user_division(request.user)
    if not policy.allowed(request.user, "progress.author"):
        raise PermissionDenied
    return _bulk_action(
        request, plan=plan, period=period, periods=periods,
        make_preview=lambda: selectors.submit_all_preview(plan, period, division),
        act=entries_submit_all,
        page={"title": _("Submit all complete drafts"),
              "intro": _("These complete drafts will be sent to your division head:"),
              "confirm_label": _("Submit these reports"),
              "skipped_label": _("Not submitted (open each one to complete it):"),
              "action_url": reverse("progress:submit-all", args=[period.pk])},
        done_message=lambda n: ngettext("Submitted %(n)s report to the head: %(names)s.",
                                        "Submitted %(n)s reports to the head: %(names)s.", n),
    )


@login_required
def approve_all(request, period_id: int):
    """The head approves every submitted report of the division, after seeing which.
    Drafts are never part of it."""
    plan, period, periods = selectors.plan_and_period(request, period_id)
    division = user_division(request.user)
    if division is None or not is_head_of(request.user, division.pk):
        raise PermissionDenied
    return _bulk_action(
        request, plan=plan, period=period, periods=periods,
        make_preview=lambda: selectors.approve_all_preview(plan, period, division),
        act=entries_endorse_all,
        page={"title": _("Approve submitted reports"),
              "intro": _("These reports submitted by staff will be approved and forwarded to the planner:"),
              "confirm_label": _("Approve and forward these reports"),
              "skipped_label": _("Not included (drafts are not forwarded):"),
              "action_url": reverse("progress:approve-all", args=[period.pk])},
        done_message=lambda n: ngettext("Approved and forwarded %(n)s report: %(names)s.",
                                        "Approved and forwarded %(n)s reports: %(names)s.", n),
    )


@login_required
def review(request):
    from .filters import ReviewFilter
    from .tables import ReviewTable

    plan, period, periods = selectors.plan_and_period(request)
    if not is_planner_of(request.user, plan):
        raise PermissionDenied
    rows = [r for r in selectors.rows_for(plan, period, selectors.items_for(plan, period)) if r.state != State.NOT_STARTED]
    filterset = ReviewFilter(request.GET, plan=plan)
    shown = filterset.keep(rows)
    only_unusual = request.GET.get("unusual") == "1"
    table = ReviewTable(shown, empty_text=_("No unusual results waiting for your check.") if only_unusual
                        else None if rows else _("No reports for this period yet."))
    fmt = lists.export_format(request)
    if fmt:
        return lists.export(request, table, fmt, _list_filename("review", plan, period))
    requests = list(ReopenRequest.objects.filter(organization_id=plan.organization_id).open()
                    .select_related("period", "division", "requested_by").order_by("period", "created_at"))
    # Unusual results the divisions confirmed in writing, until the planner verifies them.
    flagged = [r for r in rows if r.entry.value_flagged]
    return render(request, "progress/review.html", {
        "plan": plan, "period": period, "periods": periods, "table": lists.paginate(request, table), "filter": filterset,
        "keep": [("plan", plan.pk), ("period", period.pk)], "export_links": lists.export_links(request, plan=plan.pk, period=period.pk),
        "rows": shown, "flagged_count": len(flagged), "only_unusual": only_unusual,
        "locked": selectors.is_period_locked(plan, period), "reopen_form": ReopenForm(),
        "endorsed": sum(1 for r in rows if r.state == State.ENDORSED),
        "requests": requests, "period_requests": [r for r in requests if r.period_id == period.pk],
    })


def _list_filename(name: str, plan, period) -> str:
    """An export's file name with the plan's year and the period: status-2567-month-03."""
    return f"{name}-{plan.fiscal_year_id}-{period.kind}-{period.number:02d}"


def _verify_rows(rows, formset):
    """(form, row) pairs for the template; each form knows its report by id."""
    by_id = {r.entry.pk: r for r in rows}
    return [(form, by_id.get(form.initial.get("entry") or _int(form["entry"].value()))) for form in formset]


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _verify_page(request, plan, period, periods, rows, formset=None, comment_form=None, chosen=None, error=None,
                 status=200):
    if formset is None:
        formset = VerifyRowFormSet(initial=[
            {"entry": r.entry.pk, "version": r.entry.version, "selected": False,
             "verified_value": r.entry.value if r.item.kind == "indicator" else None}
            for r in rows])
    return render(request, "progress/verify_all.html", {
        "plan": plan, "period": period, "periods": periods, "formset": formset,
        "pairs": [(f, r) for f, r in _verify_rows(rows, formset) if r is not None],
        "comment_form": comment_form or BulkVerifyCommentForm(), "chosen": chosen, "error": error,
        "locked": selectors.is_period_locked(plan, period),
        "back_url": f"{reverse('progress:review')}?period={period.pk}",
    }, status=status)


@login_required
def verify_all(request, period_id: int):
    """The planner verifies several endorsed reports at once: choose and correct on the
    form, see the list of what will be approved, confirm."""
    plan, period, periods = selectors.plan_and_period(request, period_id)
    if not is_planner_of(request.user, plan):
        raise PermissionDenied
    rows = selectors.endorsed_rows(plan, period)
    if request.method != "POST":
        return _verify_page(request, plan, period, periods, rows)

    if request.POST.get("confirm") == "yes":
        versions = _versions(request.POST.get("versions", ""))
        verified = {}
        comment = request.POST.get("evaluation_comment", "")
        try:
            for entry_id in versions:
                text = request.POST.get(f"value-{entry_id}", "")
                try:
                    verified[entry_id] = Decimal(text) if text else None
                except InvalidOperation:
                    raise WorkflowError(_("Verified result: enter a number.")) from None
            done = entries_verify_all(user=request.user, plan=plan, period=period, versions=versions,
                                      verified=verified, comment=comment)
        except PermissionRefused:
            raise PermissionDenied from None
        except WorkflowError as exc:
            return _verify_page(request, plan, period, periods, selectors.endorsed_rows(plan, period), error=exc.message,
                                status=409 if isinstance(exc, ConcurrentEdit) else 400)
        messages.success(request, ngettext("Verified and approved %(n)s report: %(names)s.",
                                           "Verified and approved %(n)s reports: %(names)s.", len(done))
                         % {"n": to_thai_digits(len(done)), "names": _names(done)})
        return redirect(f"{reverse('progress:review')}?period={period.pk}")

    formset = VerifyRowFormSet(request.POST)
    comment_form = BulkVerifyCommentForm(request.POST)
    by_id = {r.entry.pk: r for r in rows}
    if not (formset.is_valid() and comment_form.is_valid()):
        return _verify_page(request, plan, period, periods, rows, formset, comment_form,
                            error=_("Please correct the fields marked below; nothing was saved."), status=400)
    chosen = []
    for form in formset:
        data = form.cleaned_data
        if not data.get("selected"):
            continue
        row = by_id.get(data["entry"])
        if row is None or row.entry.version != data["version"]:
            return _verify_page(request, plan, period, periods, rows, status=409, error=_(
                "Some reports changed after you opened the list; nothing was done. Look at the list again."))
        value = data.get("verified_value")
        if row.entry.measure_values:  # verified per measure as reported (entry_verify); no box here
            chosen.append({"row": row, "value": row.entry.value, "text": "", "changed": False})
            continue
        if row.item.kind == "indicator" and value is None:
            form.add_error("verified_value", _("Enter the result you verified."))
            continue
        chosen.append({"row": row, "value": value if row.item.kind == "indicator" else None,
                       "text": format(value, "f") if row.item.kind == "indicator" else "",
                       "changed": row.item.kind == "indicator" and value != row.entry.value})
    if any(f.errors for f in formset):
        return _verify_page(request, plan, period, periods, rows, formset, comment_form,
                            error=_("Please correct the fields marked below; nothing was saved."), status=400)
    return render(request, "progress/verify_confirm.html", {
        "plan": plan, "period": period, "periods": periods, "chosen": chosen,
        "changed": sum(1 for c in chosen if c["changed"]),
        "versions": ",".join(f"{c['row'].entry.pk}:{c['row'].entry.version}" for c in chosen),
        "comment": comment_form.cleaned_data["evaluation_comment"],
        "locked": selectors.is_period_locked(plan, period),
        "back_url": f"{reverse('progress:verify-all', args=[period.pk])}",
    })


@login_required
def lock(request, period_id: int):
    """Show what is still open in the period; lock only when the planner confirms it,
    and only if nothing moved since."""
    plan, period, periods = selectors.plan_and_period(request, period_id)
    if not is_planner_of(request.user, plan):
        raise PermissionDenied
    error, status = None, 200
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            period_lock(user=request.user, plan=plan, period=period, expect=request.POST.get("expect", ""))
        except PermissionRefused:
            raise PermissionDenied from None
        except WorkflowError as exc:
            error, status = exc.message, 409
        else:
            messages.success(request, _("%(period)s is locked.") % {"period": period})
            return redirect(f"{reverse('progress:review')}?period={period.pk}")
    items = selectors.open_items(plan, period)
    return render(request, "progress/lock_confirm.html", {
        "plan": plan, "period": period, "periods": periods, "open": items, "expect": items.signature(),
        "groups": [
            (_("Not reported"), items.not_reported, "not-reported"),
            (_("Draft or returned (not submitted)"), items.draft, "draft"),
            (_("Submitted, waiting for the division head"), items.submitted, "submitted"),
            (_("Endorsed, waiting for your verification"), items.endorsed, "endorsed"),
        ],
        "locked": selectors.is_period_locked(plan, period), "error": error,
        "back_url": f"{reverse('progress:review')}?period={period.pk}",
    }, status=status)


@login_required
@require_POST
def reopen(request, period_id: int):
    plan, period, _periods = selectors.plan_and_period(request, period_id)
    try:
        period_reopen(user=request.user, plan=plan, period=period, reason=request.POST.get("reason", ""))
    except PermissionRefused:
        raise PermissionDenied from None
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(period)s is open again.") % {"period": period})
    return redirect(f"{reverse('progress:review')}?period={period.pk}")


@login_required
@require_POST
def reopen_request(request, period_id: int):
    """A division asks the planner to reopen a locked period."""
    plan, period, _periods = selectors.plan_and_period(request, period_id)
    try:
        reopen_request_create(user=request.user, plan=plan, period=period, reason=request.POST.get("reason", ""))
    except PermissionRefused:
        raise PermissionDenied from None
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your request was sent to the planner. The answer will appear here."))
    return redirect(f"{reverse('progress:my-work')}?period={period.pk}")


@login_required
def completeness(request):
    """Per division, the period's due reports counted by state; below, every due item
    with its report's state (filters: division, state)."""
    from .filters import CompletenessFilter
    from .tables import CompletenessTable

    if not can_oversee(request.user):
        raise PermissionDenied
    plan, period, periods = selectors.plan_and_period(request)
    rows = selectors.rows_for(plan, period, selectors.items_for(plan, period))
    filterset = CompletenessFilter(request.GET, plan=plan)
    table = CompletenessTable(filterset.keep(rows))
    fmt = lists.export_format(request)
    if fmt:
        return lists.export(request, table, fmt, _list_filename("completeness", plan, period))
    summaries = selectors.completeness(plan, period, rows=rows)
    totals = {key: sum(getattr(s, key) for s in summaries) for key in ("due", "reported", "submitted", "approved", "late")}
    return render(request, "progress/completeness.html", {
        "plan": plan, "period": period, "periods": periods, "summaries": summaries, "totals": totals,
        "is_planner": is_planner_of(request.user, plan), "locked": selectors.is_period_locked(plan, period),
        "may_request": policy.allowed(request.user, "organization.same", plan),
        "table": lists.paginate(request, table), "filter": filterset,
        "keep": [("plan", plan.pk), ("period", period.pk)], "export_links": lists.export_links(request, plan=plan.pk, period=period.pk),
    })


def _get_evidence_for_user(user, evidence_id: int) -> Evidence:
    evidence = get_object_or_404(
        scope_to_user(Evidence.objects.select_related("entry__plan", "entry__indicator", "entry__project"), user), pk=evidence_id
    )
    entry = evidence.entry
    item = Item("indicator" if entry.indicator_id else "project", entry.item)
    if not can_view_item(user, entry.plan, item) or not can_view_content(user, entry):
        raise Http404
    return evidence


@login_required
def evidence_download(request, evidence_id: int):
    evidence = _get_evidence_for_user(request.user, evidence_id)
    return FileResponse(evidence.file.open("rb"), content_type=evidence.content_type, as_attachment=True,
                        filename=evidence.original_name)


@login_required
def evidence_thumbnail(request, evidence_id: int):
    """A small JPEG of an image evidence file for the entry page, behind the same access
    check as the download; 404 for a PDF (it shows as its name)."""
    from django.http import HttpResponse

    from kpiplan.lib import images

    evidence = _get_evidence_for_user(request.user, evidence_id)
    if not evidence.is_image:
        raise Http404
    try:
        with evidence.file.open("rb") as f:
            data = images.thumbnail(f)
    except (images.UnreadableImage, FileNotFoundError):
        raise Http404 from None
    response = HttpResponse(data, content_type="image/jpeg")
    # The file never changes under its id (a new photo is a new evidence): the browser may
    # keep it, but no shared cache may (it is behind a login).
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@require_POST
def evidence_delete(request, evidence_id: int):
    evidence = _get_evidence_for_user(request.user, evidence_id)
    entry = evidence.entry
    try:
        evidence_remove(user=request.user, evidence=evidence)
    except PermissionRefused:
        raise PermissionDenied from None
    except WorkflowError as exc:
        messages.error(request, exc.message)
    kind = "indicator" if entry.indicator_id else "project"
    return redirect("progress:entry", entry.period_id, kind, entry.item.pk)


@login_required
def status_overview(request):
    """Achievement and status of every indicator for the period, rolled up; below, the
    indicators as a table (filters: division, strategy element with what is below it,
    status, text)."""
    from plans.models import Division, StrategyNode

    from .filters import StatusFilter
    from .status import indicator_statuses, is_overdue, rolled_up, status_counts
    from .tables import StatusTable, status_rows

    if not can_oversee(request.user):
        raise PermissionDenied
    plan, period, periods = selectors.plan_and_period(request)
    statuses = indicator_statuses(plan, period)
    filterset = StatusFilter(request.GET, plan=plan, nodes=list(StrategyNode.objects.filter(plan=plan)))
    wanted = set(filterset.qs.values_list("pk", flat=True))
    divisions = Division.objects.filter(organization_id=plan.organization_id).in_bulk()
    table = StatusTable(filterset.keep(r for r in status_rows(statuses, divisions) if r.status.indicator.pk in wanted))
    fmt = lists.export_format(request)
    if fmt:
        return lists.export(request, table, fmt, _list_filename("status", plan, period))
    overdue = is_overdue(plan, period)
    nodes, overall = rolled_up(plan, statuses, overdue=overdue)
    return render(request, "progress/status.html", {
        "plan": plan, "period": period, "periods": periods, "nodes": nodes, "overall": overall, "statuses": statuses,
        "counts": status_counts(statuses), "overdue": overdue, "due": selectors.due_date(plan, period),
        "locked": selectors.is_period_locked(plan, period),
        "table": lists.paginate(request, table), "filter": filterset,
        "keep": [("plan", plan.pk), ("period", period.pk)], "export_links": lists.export_links(request, plan=plan.pk, period=period.pk),
    })


# -- progress sheet: download, upload, dry run, confirm -------------------------------

IMPORTS_SESSION_KEY = "progress_imports"


PENDING_IMPORTS = PendingUploads(IMPORTS_SESSION_KEY, "imports")


def _import_scope_or_403(user, plan):
    from .services import import_scope

    scope = import_scope(user, plan)
    if scope is None:
        raise PermissionDenied
    return scope


@login_required
def progress_sheet(request):
    """The period's progress sheet (.xlsx) prefilled with what is reported so far: the
    user's division (drafts included) for staff and heads, to fill in and import; for
    planners and executives the whole organization's submitted results, to read."""
    from django.http import HttpResponse

    from .resources import sheet_entries, sheet_workbook
    from .services import import_scope

    plan, period, _periods = selectors.plan_and_period(request)
    scope = import_scope(request.user, plan)
    if scope is None and not can_oversee(request.user):
        raise PermissionDenied
    division = user_division(request.user) if scope == "division" else None
    # One row per item and reporting period within the chosen one (a quarter: its months
    # for monthly items), as My work lists them; drafts are the division's own.
    official = {State.SUBMITTED, State.ENDORSED, State.APPROVED}
    rows = selectors.rows_for(plan, period, selectors.items_for(plan, period, division))
    data = sheet_workbook(sheet_entries(plan, [
        (row.period, row.item, row.entry if row.entry and (division is not None or row.entry.state in official) else None)
        for row in rows]))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"progress-{plan.fiscal_year_id}-{period.kind}-{period.number:02d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def import_sheet(request):
    """Upload a progress sheet, see what every row will do (nothing is written), then
    confirm: the whole file is imported in one transaction, or nothing is."""
    from kpiplan.import_widgets import ImportPreview

    from .resources import import_progress, max_bytes

    plan, period, periods = selectors.plan_and_period(request)
    scope = _import_scope_or_403(request.user, plan)
    back = reverse("progress:my-work")
    context = {"plan": plan, "period": period, "periods": periods, "preview": None, "token": None,
               "confirm_url": f"{reverse('progress:import')}?period={period.pk}&plan={plan.pk}",
               "max_mb": max_bytes() // (1024 * 1024), "back_url": f"{back}?period={period.pk}", "error": None,
               "scope": scope}
    if request.method != "POST":
        return render(request, "progress/import.html", context)

    if request.POST.get("action") == "confirm":
        kept = PENDING_IMPORTS.take(request, request.POST.get("token", ""))
        if kept is None or kept[0]["plan"] != plan.pk:
            context["error"] = _("This upload is no longer available (already imported or expired); upload the file again.")
            return render(request, "progress/import.html", context, status=400)
        info, data = kept
        filename = info["filename"]
        try:
            preview = import_progress(user=request.user, plan=plan, data=data, filename=filename, dry_run=False,
                                      expect=info["signature"])
        except PermissionRefused:
            raise PermissionDenied from None
        except WorkflowError as exc:
            context["error"] = exc.message
            return render(request, "progress/import.html", context, status=409)
        if preview.has_errors:
            # Something changed since the preview (a report saved or submitted, a period locked).
            context.update(preview=preview.counted(), error=_("Something changed since the preview; nothing was imported. "
                                                    "Correct the rows below and upload the file again."))
            return render(request, "progress/import.html", context, status=409)
        created = sum(s.count("new") for s in preview.sheets)
        updated = sum(s.count("update") for s in preview.sheets)
        messages.success(request, _("Imported %(file)s: %(new)s new reports, %(updated)s updated. They are drafts: "
                                    "submit them when they are ready.")
                         % {"file": filename, "new": created, "updated": updated})
        return redirect(context["back_url"])

    upload = request.FILES.get("file")
    if upload is None:
        context["error"] = _("Choose a file to upload.")
        return render(request, "progress/import.html", context, status=400)
    filename = upload.name.rsplit("/", 1)[-1][:200]
    if upload.size > max_bytes():
        preview = ImportPreview(filename=filename)
        preview.errors.append(_("The file is %(size).1f MB; the limit is %(limit)s MB.")
                              % {"size": upload.size / 1048576, "limit": context["max_mb"]})
    else:
        data = upload.read()
        try:
            preview = import_progress(user=request.user, plan=plan, data=data, filename=filename, dry_run=True)
        except PermissionRefused:
            raise PermissionDenied from None
        if not preview.has_errors:
            context["token"] = PENDING_IMPORTS.keep(request, data, plan=plan.pk, filename=filename,
                                                    signature=preview.signature())
    context["preview"] = preview.counted()
    return render(request, "progress/import.html", context)

