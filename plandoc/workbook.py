"""The whole-plan workbook: one .xlsx with a sheet per kind of record, Thai headers,
drop-down lists and an instructions sheet; exported from a plan and imported back.

Import (`import_workbook`) reads the upload with kpiplan.lib.spreadsheets (xlsx or CSV,
TIS-620, merged cells, formulas, size limit), then runs every sheet in dependency order
inside one transaction: each row is converted (Thai digits, thousands separators, B.E.
years), its references resolved by key within the plan being imported, compared with
what is stored, and saved only when something differs, with the file name as the
history reason and the importer as the history user. A dry run, or any error anywhere,
rolls the whole transaction back: all or nothing. The preview (kpiplan.import_widgets.
ImportPreview) says per sheet and row what is new, updated, skipped or wrong.

Records are identified by their stable `key` within the plan (nodes, indicators,
projects), by name (divisions, work groups), or by their natural position (targets by
indicator + order, work steps by project + step number, statements by order...). Rows
missing from the workbook are kept, never deleted. The plan is always the importer's
organization's, named by its short name, full name or code (the empty template comes
with it filled in); a workbook naming another organization is refused. Every sheet is
checked even when one fails (a wrong plan row is checked against a stand-in plan inside
the rolled-back transaction). City-wide reference data (organizations, policy codes) is
added only by an administrator's import ("plans.create_reference_data"); a planner's
names existing ones. The preview lists what each updated row changes and warns of
printed totals, counts and step percents that their rows do not add up to.

Imports of one organization run one at a time (its row is locked), each sheet in its own
atomic block; a database error is logged with its traceback and the file's name.

Queries: loading what exists costs a constant number per sheet; each sheet's new and
changed rows are written in bulk with their history rows, so the count does not grow
with the rows (only a row whose policy codes or supporting agencies change costs its
own many-to-many writes, which keep their history).
"""

from __future__ import annotations

import datetime
import io
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts import policy
from accounts.roles import user_organization
from indicators.models import Baseline, Indicator, IndicatorTarget, Rubric, RubricCondition, RubricLevel
from kpiplan.import_widgets import ImportPreview, RowOutcome, SheetOutcome, ThaiDecimalWidget, ThaiIntegerWidget
from kpiplan.lib.spreadsheets import SpreadsheetError, put_cell, read_upload
from kpiplan.lib.thai import format_number, to_ascii_digits
from plans.models import (
    Discrepancy,
    Division,
    FiscalYear,
    Organization,
    OrganizationAlias,
    Plan,
    PlanStatement,
    PrintedTotal,
    StrategyNode,
    Variant,
    WorkGroup,
)
from projects.models import KeyResultLink, Policy, Project, ProjectIndicator, WorkStep

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
INSTRUCTIONS_SHEET = "คำอธิบาย"
LISTS_SHEET = "รายการ"

# Thai labels of the choices (the workbook is a Thai data format: fixed, not translated).
ORG_KINDS = {"district": "สำนักงานเขต", "department": "สำนัก/หน่วยงาน กทม.", "district_group": "กลุ่มสำนักงานเขต",
             "external": "หน่วยงานภายนอก"}
STATEMENT_KINDS = {
    "foreword": "คำนำ", "mandate": "อำนาจหน้าที่", "area": "ข้อมูลพื้นที่", "subdistrict": "แขวง",
    "boundary": "อาณาเขต", "environment": "การวิเคราะห์สภาพแวดล้อม", "swot_summary": "สรุป SWOT",
    "strength": "จุดแข็ง", "weakness": "จุดอ่อน", "opportunity": "โอกาส", "threat": "อุปสรรค",
    "vision": "วิสัยทัศน์", "mission": "พันธกิจ",
}
NODE_LEVELS = {"dimension": "มิติ", "strategy": "ยุทธศาสตร์", "sub_strategy": "ยุทธศาสตร์ย่อย",
               "development_area": "ด้าน", "objective": "เป้าประสงค์/วัตถุประสงค์", "tactic": "กลยุทธ์"}
INDICATOR_KINDS = {"bma_kr": "KR กทม.", "bma_kpi": "KPI กทม.", "okr": "OKR เขต", "agreement": "ตัวชี้วัดคำรับรอง",
                   "support": "ตัวชี้วัดสนับสนุน", "city_kr": "ผลลัพธ์หลักระดับเมือง (ตาราง ง)"}
DIRECTIONS = {"higher": "ยิ่งมากยิ่งดี", "lower": "ยิ่งน้อยยิ่งดี"}
MEASURE_TYPES = {"output": "ผลผลิต", "outcome": "ผลลัพธ์"}
FREQUENCIES = {"month": "รายเดือน", "quarter": "รายไตรมาส"}
CONDITION_KINDS = {"threshold": "เกณฑ์ตัวเลข", "checklist": "รายการที่ต้องทำ"}
OPERATORS = {">=": ">=", ">": ">", "<=": "<=", "<": "<"}
VARIANT_KINDS = {"node": "กรอบยุทธศาสตร์", "indicator": "ตัวชี้วัด", "project": "โครงการ"}
DISAGREEMENT_CATEGORIES = {
    "total": "ยอดรวม", "count": "จำนวนนับ", "amount": "จำนวนเงิน", "code": "รหัส", "target": "ค่าเป้าหมาย",
    "unit": "หน่วยนับ", "name": "ชื่อ", "schedule": "ช่วงเวลาดำเนินการ", "formula": "สูตรคำนวณและเกณฑ์",
    "date": "วันที่", "reference": "การอ้างอิง",
}
SEVERITY_LABELS = {"error": "ข้อผิดพลาด", "warning": "ข้อสังเกต"}
DISAGREEMENT_PLACES = 4  # pairs of columns «ที่พิมพ์ n» / «ค่าที่พิมพ์ n»
YES, NO = "ใช่", ""
TRUE_WORDS = {"ใช่", "y", "yes", "true", "1", "x", "✓", "/", "*"}
FALSE_WORDS = {"", "ไม่", "ไม่ใช่", "n", "no", "false", "0", "-"}
COMMON_UNITS = ["ร้อยละ", "แห่ง", "ครั้ง", "คน", "ราย", "โครงการ", "เรื่อง", "จุด", "กม.", "ต้น", "ตร.ม.", "บาท"]


def _fingerprint(obj, fields: dict, m2m: dict) -> str:
    """The stored values a row was compared with, as a short digest (see RowOutcome.basis)."""
    import hashlib

    parts = [f"{name}={getattr(obj, obj._meta.get_field(name).attname)!r}" for name in sorted(fields)]
    parts += [f"{name}={sorted(o.pk for o in getattr(obj, name).all())}" for name in sorted(m2m)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]




def records_by_kind(ctx) -> dict:
    """The import's records a row may name by kind and key: kind -> (content type, {key: record})."""
    from django.contrib.contenttypes.models import ContentType

    return {"node": (ContentType.objects.get_for_model(StrategyNode), ctx.nodes),
            "indicator": (ContentType.objects.get_for_model(Indicator), ctx.indicators),
            "project": (ContentType.objects.get_for_model(Project), ctx.projects)}

def keys_by_content_type(queryset) -> dict:
    """The keys of a plan's framework nodes, indicators and projects, for rows that name a
    record of any of them (variants, disagreements): content type id -> (kind, {pk: key})."""
    from django.contrib.contenttypes.models import ContentType

    plans = queryset.order_by().values("plan_id")
    return {ContentType.objects.get_for_model(model).pk:
            (kind, dict(model.objects.filter(plan__in=plans).exclude(key="").values_list("pk", "key")))
            for kind, model in (("node", StrategyNode), ("indicator", Indicator), ("project", Project))}

class Skip(Exception):
    """A row that cannot be checked further (its errors are already recorded)."""


# -- columns and cell conversion ----------------------------------------------------

@dataclass
class Col:
    header: str
    attr: str
    kind: str = "text"  # text | code | int | year | decimal | bool | choice | list | lines | months | yeartext
    required: bool = False
    choices: dict | None = None
    field: str | None = None  # the model field it fills (absent column: field left as is)
    lookup: str = ""  # drop-down: a LISTS column name, or "sheet:<sheet name>:<column attr>"
    width: int = 18
    number_format: str = ""


_INT = ThaiIntegerWidget()
_DEC = ThaiDecimalWidget()
_SPLIT = re.compile(r"[,\n;]+")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float):
        return str(int(value)) if value == int(value) else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def convert(col: Col, raw):
    """A cell's value for the column; ValueError with a message in the user's language
    (gettext; the Thai catalogue says it as before) when it is wrong."""
    kind = col.kind
    if kind in ("text", "code"):
        return _text(raw)
    if kind == "int":
        return _INT.clean(raw)
    if kind == "decimal":
        return _DEC.clean(raw)
    if kind == "year":
        year = _INT.clean(raw)
        if year is None:
            return None
        if 1900 <= year <= 2200:  # typed in C.E.
            year += 543
        if not 2500 <= year <= 2700:
            raise ValueError(_("«%(value)s» is not a usable Buddhist-era year (e.g. 2568).") % {"value": _text(raw)})
        return year
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        word = to_ascii_digits(_text(raw)).lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("«%(value)s» must be «%(yes)s» or left empty.") % {"value": _text(raw), "yes": YES})
    if kind == "choice":
        text = _text(raw)
        if not text:
            return ""
        for value, label in col.choices.items():
            if text in (value, label):
                return value
        raise ValueError(_("«%(value)s» is not one of the choices (choose from: %(choices)s).")
                         % {"value": text, "choices": ", ".join(col.choices.values())})
    if kind == "list":
        return [p.strip() for p in _SPLIT.split(_text(raw)) if p.strip()]
    if kind == "words":
        return _text(raw).split()
    if kind == "lines":
        return [p.strip() for p in _text(raw).split("\n") if p.strip()]
    if kind == "months":
        months = []
        for part in re.split(r"[\s,;]+", to_ascii_digits(_text(raw))):
            if not part:
                continue
            if not part.isdigit() or not 1 <= int(part) <= 12:
                raise ValueError(_("«%(value)s»: months are numbers 1-12 (1 = October ... 12 = September) "
                                   "separated by spaces.") % {"value": _text(raw)})
            months.append(int(part))
        return months
    if kind == "yeartext":
        result: dict[str, str] = {}
        last = None
        for line in _text(raw).split("\n"):
            m = re.match(r"^\s*([0-9๐-๙]{4})\s*:\s?(.*)$", line)
            if m:
                last = to_ascii_digits(m.group(1))
                result[last] = m.group(2).strip()
            elif last is not None:
                result[last] = (result[last] + "\n" + line).strip()
            elif line.strip():
                raise ValueError(_("Write one line per year as «Buddhist-era year: target», e.g. «2567: 100 percent»."))
        return result
    raise AssertionError(kind)


def render(col: Col, value):
    """A stored value as the workbook cell shows it."""
    kind = col.kind
    if value is None:
        return None
    if kind == "choice":
        return col.choices.get(value, value) if value else None
    if kind == "bool":
        return YES if value else NO
    if kind == "list":
        return ", ".join(value)
    if kind == "words":
        return " ".join(value)
    if kind == "lines":
        return "\n".join(value)
    if kind == "months":
        return " ".join(str(m) for m in value)
    if kind == "yeartext":
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    if kind == "decimal" and isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    return value if value != "" else None


# -- import context -------------------------------------------------------------------

@dataclass
class Context:
    user: object
    organization: Organization
    reason: str
    plan: Plan | None = None
    agencies: dict = field(default_factory=dict)
    policies: dict = field(default_factory=dict)
    divisions: dict = field(default_factory=dict)
    work_groups: dict = field(default_factory=dict)
    nodes: dict = field(default_factory=dict)
    indicators: dict = field(default_factory=dict)
    projects: dict = field(default_factory=dict)
    rubrics: dict = field(default_factory=dict)
    levels: dict = field(default_factory=dict)
    sheet_keys: set = field(default_factory=set)
    # City-wide reference data (organizations, policy codes) is the administrators':
    # a planner's workbook may name it, never add to it (accounts.policy).
    may_create_reference: bool = False

    def save(self, obj):
        obj._change_reason = self.reason
        obj._history_user = self.user
        obj.save()
        return obj

    def create_all(self, model, objs: list) -> None:
        """INSERT a sheet's new rows in batches, each with its history row (the file as
        the reason); PostgreSQL hands back their ids, which later sheets refer to."""
        from simple_history.utils import bulk_create_with_history

        if objs:
            created = bulk_create_with_history(objs, model, batch_size=500, default_user=self.user,
                                               default_change_reason=self.reason)
            for obj, saved in zip(objs, created, strict=True):
                obj.pk = saved.pk

    def update_all(self, model, objs: list, fields: set[str]) -> None:
        from simple_history.utils import bulk_update_with_history

        if objs:
            bulk_update_with_history(objs, model, sorted(fields), batch_size=500, default_user=self.user,
                                     default_change_reason=self.reason)


def _not_found(what: str) -> str:
    """The message for a key naming nothing, by what it should name (a whole sentence per
    kind, for the translators)."""
    return {
        "agency": _("No agency «%(key)s» (it must be in the sheet «%(sheet)s» or already in this plan)"),
        "division": _("No division «%(key)s» (it must be in the sheet «%(sheet)s» or already in this plan)"),
        "element": _("No strategy element «%(key)s» (it must be in the sheet «%(sheet)s» or already in this plan)"),
        "framework": _("No strategy framework item «%(key)s» (it must be in the sheet «%(sheet)s» or already in "
                       "this plan)"),
        "indicator": _("No indicator «%(key)s» (it must be in the sheet «%(sheet)s» or already in this plan)"),
        "project": _("No project «%(key)s» (it must be in the sheet «%(sheet)s» or already in this plan)"),
        "rubric": _("No scoring rubric for the indicator «%(key)s» (it must be in the sheet «%(sheet)s» or already "
                    "in this plan)"),
    }[what]


def _ref(ctx, mapping: dict, key: str, errors, header: str, what: str, sheet: str, deferrable=False):
    """The object a key names; an error (or a deferral, for a later row of the same sheet).
    `what`: what the key should name, a key of _not_found."""
    if not key:
        return None
    found = mapping.get(key)
    if deferrable and found is not None and found.pk is None:
        return DEFER  # a new row of this sheet: written with the sheet, linked right after
    if found is None:
        if deferrable and key in ctx.sheet_keys:
            return DEFER
        errors.append((header, _not_found(what) % {"key": key, "sheet": sheet}))
    return found


DEFER = object()


# -- sheets ---------------------------------------------------------------------------

class SheetSpec:
    name: str = ""
    model = None
    columns: list[Col] = []
    identity_attrs: tuple[str, ...] = ()
    self_refs: dict[str, str] = {}  # model field -> column attr, for rows naming a later row

    def col(self, attr) -> Col:
        return next(c for c in self.columns if c.attr == attr)

    def identity(self, values) -> tuple:
        return tuple(values.get(a) for a in self.identity_attrs)

    def existing(self, ctx) -> dict:
        return {}

    def new(self, ctx, values):
        raise NotImplementedError

    def resolve(self, ctx, values, errors) -> tuple[dict, dict]:
        """Model field values and many-to-many sets for a row."""
        raise NotImplementedError

    def register(self, ctx, obj, values) -> None:
        pass

    def label(self, values) -> str:
        return " ".join(_text(values.get(a)) for a in self.identity_attrs)

    # Export: the rows of a plan are `export_queryset(plan)`, one `export_row` each. The
    # admin's export (plandoc.resources) runs the same through its own, scoped queryset.
    plan_lookup = "plan"  # the model's path to its plan ("organization" for divisions, work groups)
    export_related: tuple[str, ...] = ()
    export_prefetch: tuple[str, ...] = ()
    export_ordering: tuple[str, ...] = ("pk",)

    def export_queryset(self, plan):
        target = plan.organization if self.plan_lookup.endswith("organization") else plan
        return self.prepare_export(self.model.objects.filter(**{self.plan_lookup: target}))

    def prepare_export(self, queryset, *, by_plan: bool = False):
        """The queryset with what export_row reads loaded, in the sheet's order (by_plan:
        grouped by plan first, for a queryset that may span several)."""
        if self.export_related:
            queryset = queryset.select_related(*self.export_related)
        if self.export_prefetch:
            queryset = queryset.prefetch_related(*self.export_prefetch)
        ordering = ((self.plan_lookup + "_id",) if by_plan else ()) + tuple(self.export_ordering)
        return queryset.order_by(*ordering)

    def export_context(self, queryset):
        """What export_row needs beyond the object itself (positions, keys), read once."""
        return None

    def export_row(self, obj, context=None) -> dict | None:
        """One object's cells by column attr (None: not a row of the sheet)."""
        raise NotImplementedError

    def export_rows(self, plan) -> list[dict]:
        queryset = self.export_queryset(plan)
        context = self.export_context(queryset)
        return [row for row in (self.export_row(o, context) for o in queryset) if row is not None]


def _plain(values, *attrs):
    return {a: values.get(a) for a in attrs}


class AgencySheet(SheetSpec):
    name = "หน่วยงานที่เกี่ยวข้อง"
    model = Organization
    columns = [
        Col("ชื่อย่อ", "short_name", required=True, width=16),
        Col("ชื่อเต็ม", "name", width=40),
        Col("ประเภท", "kind", "choice", choices=ORG_KINDS, lookup="org_kinds", width=20),
    ]
    identity_attrs = ("short_name",)

    def existing(self, ctx):
        return {(k,): o for k, o in ctx.agencies.items()}

    def new(self, ctx, values):
        return Organization(short_name=values["short_name"])

    def resolve(self, ctx, values, errors):
        return {"name": values.get("name") or values["short_name"], "kind": values.get("kind") or "department"}, {}

    def compare_only_new(self):
        return True

    def unknown_message(self, value) -> str:
        return _("«%(value)s» is not an organization the system knows; organizations are added by an administrator "
                 "only. Use the short name of one that exists (ask the administrator to add a new one).") % {
                     "value": value}

    def register(self, ctx, obj, values):
        ctx.agencies[obj.short_name] = obj

    def export_queryset(self, plan):
        """The other agencies the plan names (lead, supporting, or with a share of a target)."""
        orgs = set(Indicator.objects.filter(plan=plan, lead_agency__isnull=False).values_list("lead_agency", flat=True))
        orgs |= set(Indicator.supporting_agencies.through.objects.filter(indicator__plan=plan).values_list("organization", flat=True))
        orgs |= set(IndicatorTarget.objects.filter(indicator__plan=plan, agency__isnull=False).values_list("agency", flat=True))
        orgs.discard(plan.organization_id)
        return Organization.objects.filter(pk__in=orgs).order_by("kind", "short_name")

    def export_row(self, o, context=None):
        return {"short_name": o.short_name, "name": o.name, "kind": o.kind}


class PolicySheet(SheetSpec):
    name = "นโยบาย"
    model = Policy
    columns = [Col("รหัสนโยบาย", "code", "code", required=True, width=14), Col("ชื่อนโยบาย", "name", width=60)]
    identity_attrs = ("code",)

    def existing(self, ctx):
        return {(k,): p for k, p in ctx.policies.items()}

    def new(self, ctx, values):
        return Policy(code=values["code"])

    def resolve(self, ctx, values, errors):
        if not re.fullmatch(r"P[0-9]{3}", values["code"] or ""):
            errors.append(("รหัสนโยบาย", _("«%(code)s»: a policy code is P and 3 digits, e.g. P213.")
                           % {"code": values["code"]}))
        return {"name": values.get("name") or ""}, {}

    def compare_only_new(self):
        return True

    def unknown_message(self, value) -> str:
        return _("«%(value)s» is not a policy code the system knows; policy codes are added by an administrator "
                 "only. Use a code that exists (ask the administrator to add a new one).") % {"value": value}

    def register(self, ctx, obj, values):
        ctx.policies[obj.code] = obj

    def export_queryset(self, plan):
        return Policy.objects.filter(projects__plan=plan).distinct().order_by("code")

    def export_row(self, p, context=None):
        return {"code": p.code, "name": p.name}


class DivisionSheet(SheetSpec):
    name = "ฝ่าย"
    model = Division
    columns = [
        Col("ลำดับ", "order", "int", field="order", width=8),
        Col("ชื่อฝ่าย", "name", required=True, width=40),
        Col("ชื่อย่อ", "short_name", field="short_name", width=16),
        Col("ชื่อที่เขียนต่างไป (บรรทัดละชื่อ)", "aliases", "lines", field="aliases", width=30),
    ]
    identity_attrs = ("name",)

    def existing(self, ctx):
        return {(k,): d for k, d in ctx.divisions.items()}

    def new(self, ctx, values):
        return Division(organization=ctx.organization, name=values["name"])

    def resolve(self, ctx, values, errors):
        return {"order": values.get("order") or 0, "short_name": values.get("short_name", ""),
                "aliases": values.get("aliases") or []}, {}

    def register(self, ctx, obj, values):
        ctx.divisions[obj.name] = obj

    plan_lookup = "organization"
    export_ordering = ("order", "name")

    def export_row(self, d, context=None):
        return {"order": d.order, "name": d.name, "short_name": d.short_name, "aliases": d.aliases}


class WorkGroupSheet(SheetSpec):
    name = "งาน"
    model = WorkGroup
    columns = [
        Col("ฝ่าย", "division", required=True, lookup="sheet:ฝ่าย:name", width=36),
        Col("ลำดับ", "order", "int", field="order", width=8),
        Col("ชื่องาน", "name", required=True, width=50),
    ]
    identity_attrs = ("division", "name")

    def existing(self, ctx):
        return {(d, n): wg for (d, n), wg in ctx.work_groups.items()}

    def new(self, ctx, values):
        return WorkGroup(division=self._division, name=values["name"])

    def resolve(self, ctx, values, errors):
        self._division = _ref(ctx, ctx.divisions, values["division"], errors, "ฝ่าย", "division", "ฝ่าย")
        return {"order": values.get("order") or 0}, {}

    def register(self, ctx, obj, values):
        ctx.work_groups[(obj.division.name, obj.name)] = obj

    plan_lookup = "division__organization"
    export_related = ("division",)
    export_ordering = ("division__order", "division__name", "order", "name")

    def export_row(self, wg, context=None):
        return {"division": wg.division.name, "order": wg.order, "name": wg.name}


class StatementSheet(SheetSpec):
    name = "ข้อความนำ"
    model = PlanStatement
    columns = [
        Col("ลำดับ", "order", "int", required=True, width=8),
        Col("ประเภท", "kind", "choice", required=True, choices=STATEMENT_KINDS, lookup="statement_kinds", field="kind"),
        Col("หัวข้อ", "title", field="title", width=30),
        Col("ข้อความ", "text", required=True, field="text", width=80),
    ]
    identity_attrs = ("order",)

    def existing(self, ctx):
        return {(s.order,): s for s in PlanStatement.objects.filter(plan=ctx.plan)}

    def new(self, ctx, values):
        return PlanStatement(plan=ctx.plan, order=values["order"])

    def resolve(self, ctx, values, errors):
        return _plain(values, "kind", "title", "text"), {}

    export_ordering = ("order", "pk")

    def export_row(self, s, context=None):
        return {"order": s.order, "kind": s.kind, "title": s.title, "text": s.text}


class NodeSheet(SheetSpec):
    name = "กรอบยุทธศาสตร์"
    model = StrategyNode
    columns = [
        Col("รหัสอ้างอิง", "key", "code", required=True, width=16),
        Col("ระดับ", "level", "choice", required=True, choices=NODE_LEVELS, lookup="node_levels", field="level"),
        Col("อยู่ภายใต้ (รหัสอ้างอิง)", "parent", "code", field="parent", lookup="sheet:กรอบยุทธศาสตร์:key", width=16),
        Col("รหัส/เลขที่", "code", "code", field="code", width=12),
        Col("ชื่อ", "title", field="title", width=70),
        Col("ลำดับ", "order", "int", field="order", width=8),
        Col("หมายเหตุ", "notes", field="notes", width=30),
    ]
    identity_attrs = ("key",)
    self_refs = {"parent": "parent"}

    def existing(self, ctx):
        ctx.nodes = {n.key: n for n in StrategyNode.objects.filter(plan=ctx.plan).exclude(key="")}
        return {(k,): n for k, n in ctx.nodes.items()}

    def new(self, ctx, values):
        return StrategyNode(plan=ctx.plan, key=values["key"])

    def resolve(self, ctx, values, errors):
        parent = _ref(ctx, ctx.nodes, values.get("parent"), errors, "อยู่ภายใต้ (รหัสอ้างอิง)", "element",
                      self.name, deferrable=True)
        return {"parent": parent, **_plain(values, "level", "code", "title", "notes"),
                "order": values.get("order") or 0}, {}

    def register(self, ctx, obj, values):
        ctx.nodes[obj.key] = obj

    export_related = ("parent",)
    export_ordering = ("order", "pk")

    def export_row(self, n, context=None):
        return {"key": n.key, "level": n.level, "parent": n.parent.key if n.parent_id else "", "code": n.code,
                "title": n.title, "order": n.order, "notes": n.notes}


class IndicatorSheet(SheetSpec):
    name = "ตัวชี้วัด"
    model = Indicator
    columns = [
        Col("รหัสอ้างอิง", "key", "code", required=True, width=16),
        Col("ประเภท", "kind", "choice", required=True, choices=INDICATOR_KINDS, lookup="indicator_kinds", field="kind"),
        Col("รหัส/เลขที่", "code", "code", field="code", width=12),
        Col("ชื่อตัวชี้วัด", "name", required=True, field="name", width=60),
        Col("องค์ประกอบกรอบยุทธศาสตร์", "node", "code", field="node", lookup="sheet:กรอบยุทธศาสตร์:key"),
        Col("ตัวชี้วัดหลัก (รหัสอ้างอิง)", "parent", "code", field="parent", lookup="sheet:ตัวชี้วัด:key"),
        Col("หน่วยนับ", "unit", field="unit", lookup="units", width=12),
        Col("ทิศทาง", "direction", "choice", choices=DIRECTIONS, lookup="directions", field="direction", width=14),
        Col("ประเภทการวัด", "measure_type", "choice", choices=MEASURE_TYPES, lookup="measure_types",
            field="measure_type", width=12),
        Col("ติดดาว (*)", "starred", "bool", field="starred", lookup="yes", width=10),
        Col("หน่วยงานหลัก", "lead_agency", "code", field="lead_agency", lookup="sheet:หน่วยงานที่เกี่ยวข้อง:short_name"),
        Col("ฝ่ายหลัก", "lead_division", field="lead_division", lookup="sheet:ฝ่าย:name", width=30),
        Col("หน่วยงานสนับสนุน (คั่นด้วย ,)", "support", "list", field="supporting_agencies", width=24),
        Col("ฝ่ายที่รายงานผล", "division", field="division", lookup="sheet:ฝ่าย:name", width=30),
        Col("รายงานทุก", "reporting_frequency", "choice", choices=FREQUENCIES, lookup="frequencies",
            field="reporting_frequency", width=12),
        Col("ผลสะสม", "cumulative", "bool", field="cumulative", lookup="yes", width=10),
        Col("ค่าเป้าหมาย (ตามที่พิมพ์)", "target_text", field="target_text", width=30),
        Col("เป้าหมายรายปี (บรรทัดละ ปี: เป้าหมาย)", "target_year_text", "yeartext", field="target_year_text", width=30),
        Col("นิยาม", "definition", field="definition", width=40),
        Col("วิธีคำนวณ", "formula", field="formula", width=40),
        Col("หลักฐาน/วิธีเก็บข้อมูล", "evidence", field="evidence", width=40),
        Col("โครงการ (ตามที่พิมพ์)", "projects_text", field="projects_text", width=30),
        Col("น้ำหนักคะแนน", "weight", "decimal", field="weight", width=10),
        Col("องค์ประกอบที่", "component", "int", field="component", width=10),
        Col("ชื่อองค์ประกอบ", "component_title", field="component_title", width=30),
        Col("ลำดับในสรุป KR/KPI", "summary_order", "int", field="summary_order", width=10),
        Col("ลำดับในตาราง KR ส่วนที่ ๒", "part2_order", "int", field="part2_order", width=10),
        Col("ลำดับ", "order", "int", field="order", width=8),
        Col("หมายเหตุ", "notes", field="notes", width=30),
    ]
    identity_attrs = ("key",)
    self_refs = {"parent": "parent"}

    def existing(self, ctx):
        ctx.indicators = {i.key: i for i in Indicator.objects.filter(plan=ctx.plan).exclude(key="")
                          .prefetch_related("supporting_agencies")}
        return {(k,): i for k, i in ctx.indicators.items()}

    def new(self, ctx, values):
        return Indicator(plan=ctx.plan, key=values["key"])

    def resolve(self, ctx, values, errors):
        cols = {c.attr: c.header for c in self.columns}
        out = _plain(values, "kind", "code", "name", "unit", "starred", "target_text", "target_year_text",
                     "definition", "formula", "evidence", "projects_text", "weight", "component", "component_title",
                     "summary_order", "part2_order", "notes", "measure_type")
        out["direction"] = values.get("direction") or "higher"
        out["reporting_frequency"] = values.get("reporting_frequency") or "month"
        out["cumulative"] = values.get("cumulative", True)
        out["order"] = values.get("order") or 0
        out["node"] = _ref(ctx, ctx.nodes, values.get("node"), errors, cols["node"], "element", NodeSheet.name)
        out["parent"] = _ref(ctx, ctx.indicators, values.get("parent"), errors, cols["parent"], "indicator",
                             self.name, deferrable=True)
        out["lead_agency"] = _ref(ctx, ctx.agencies, values.get("lead_agency"), errors, cols["lead_agency"],
                                  "agency", AgencySheet.name)
        for attr in ("lead_division", "division"):
            out[attr] = _ref(ctx, ctx.divisions, values.get(attr), errors, cols[attr], "division", DivisionSheet.name)
        support = [_ref(ctx, ctx.agencies, s, errors, cols["support"], "agency", AgencySheet.name)
                   for s in values.get("support") or []]
        return out, {"supporting_agencies": [s for s in support if s]}

    def register(self, ctx, obj, values):
        ctx.indicators[obj.key] = obj

    export_related = ("node", "parent", "lead_agency", "lead_division", "division")
    export_prefetch = ("supporting_agencies",)
    export_ordering = ("order", "pk")

    def export_row(self, i, context=None):
        return {
            "key": i.key, "kind": i.kind, "code": i.code, "name": i.name, "node": i.node.key if i.node_id else "",
            "parent": i.parent.key if i.parent_id else "", "unit": i.unit, "direction": i.direction,
            "measure_type": i.measure_type, "starred": i.starred,
            "lead_agency": i.lead_agency.short_name if i.lead_agency_id else "",
            "lead_division": i.lead_division.name if i.lead_division_id else "",
            "support": sorted(a.short_name for a in i.supporting_agencies.all()),
            "division": i.division.name if i.division_id else "",
            "reporting_frequency": i.reporting_frequency, "cumulative": i.cumulative,
            "target_text": i.target_text, "target_year_text": i.target_year_text, "definition": i.definition,
            "formula": i.formula, "evidence": i.evidence, "projects_text": i.projects_text, "weight": i.weight,
            "component": i.component, "component_title": i.component_title, "summary_order": i.summary_order,
            "part2_order": i.part2_order,
            "order": i.order, "notes": i.notes,
        }


class _IndicatorChild(SheetSpec):
    def indicator(self, ctx, values, errors):
        ind = _ref(ctx, ctx.indicators, values.get("indicator"), errors, self.columns[0].header, "indicator",
                   IndicatorSheet.name)
        if ind is None:
            raise Skip
        return ind


class TargetSheet(_IndicatorChild):
    name = "ค่าเป้าหมาย"
    model = IndicatorTarget
    columns = [
        Col("ตัวชี้วัด (รหัสอ้างอิง)", "indicator", "code", required=True, lookup="sheet:ตัวชี้วัด:key", width=16),
        Col("ลำดับ", "order", "int", required=True, width=8),
        Col("ค่าเป้าหมาย", "value", "decimal", required=True, field="value", width=14),
        Col("หน่วยนับ", "unit", field="unit", lookup="units", width=12),
        Col("ตัววัด", "label", field="label", width=30),
        Col("ส่วนของหน่วยงาน", "agency", "code", field="agency", lookup="sheet:หน่วยงานที่เกี่ยวข้อง:short_name"),
        Col("ปีงบประมาณ (พ.ศ.)", "fiscal_year", "year", field="fiscal_year", width=10),
    ]
    identity_attrs = ("indicator", "order")

    def existing(self, ctx):
        return {(t.indicator.key, t.order): t for t in IndicatorTarget.objects.filter(indicator__plan=ctx.plan)
                .select_related("indicator")}

    def new(self, ctx, values):
        return IndicatorTarget(indicator=self._ind, order=values["order"])

    def resolve(self, ctx, values, errors):
        self._ind = self.indicator(ctx, values, errors)
        agency = _ref(ctx, ctx.agencies, values.get("agency"), errors, "ส่วนของหน่วยงาน", "agency", AgencySheet.name)
        return {**_plain(values, "value", "unit", "label", "fiscal_year"), "agency": agency}, {}

    plan_lookup = "indicator__plan"
    export_related = ("indicator", "agency")
    export_ordering = ("indicator__order", "indicator_id", "order", "pk")

    def export_row(self, t, context=None):
        return {"indicator": t.indicator.key, "order": t.order, "value": t.value, "unit": t.unit, "label": t.label,
                "agency": t.agency.short_name if t.agency_id else "", "fiscal_year": t.fiscal_year}


class BaselineSheet(_IndicatorChild):
    name = "ค่าฐาน"
    model = Baseline
    columns = [
        Col("ตัวชี้วัด (รหัสอ้างอิง)", "indicator", "code", required=True, lookup="sheet:ตัวชี้วัด:key", width=16),
        Col("ปี (พ.ศ.)", "year", "year", required=True, width=10),
        Col("ตัววัด", "label", width=30),
        Col("ค่า", "value", "decimal", field="value", width=14),
        Col("หน่วยนับ", "unit", field="unit", lookup="units", width=12),
        Col("ข้อความตามที่พิมพ์", "text", field="text", width=40),
    ]
    identity_attrs = ("indicator", "year", "label")

    def existing(self, ctx):
        return {(b.indicator.key, b.year, b.label): b for b in Baseline.objects.filter(indicator__plan=ctx.plan)
                .select_related("indicator")}

    def new(self, ctx, values):
        return Baseline(indicator=self._ind, year=values["year"], label=values.get("label") or "")

    def resolve(self, ctx, values, errors):
        self._ind = self.indicator(ctx, values, errors)
        return _plain(values, "value", "unit", "text"), {}

    plan_lookup = "indicator__plan"
    export_related = ("indicator",)
    export_ordering = ("indicator__order", "indicator_id", "year", "label")

    def export_row(self, b, context=None):
        return {"indicator": b.indicator.key, "year": b.year, "label": b.label, "value": b.value, "unit": b.unit,
                "text": b.text}


class RubricSheet(_IndicatorChild):
    name = "เกณฑ์การให้คะแนน"
    model = Rubric
    columns = [
        Col("ตัวชี้วัด (รหัสอ้างอิง)", "indicator", "code", required=True, lookup="sheet:ตัวชี้วัด:key", width=16),
        Col("ชื่อเกณฑ์", "title", field="title", width=60),
        Col("เงื่อนไข", "note", field="note", width=60),
    ]
    identity_attrs = ("indicator",)

    def existing(self, ctx):
        ctx.rubrics = {r.indicator.key: r for r in Rubric.objects.filter(indicator__plan=ctx.plan)
                       .select_related("indicator")}
        return {(k,): r for k, r in ctx.rubrics.items()}

    def new(self, ctx, values):
        return Rubric(indicator=self._ind)

    def resolve(self, ctx, values, errors):
        self._ind = self.indicator(ctx, values, errors)
        return _plain(values, "title", "note"), {}

    def register(self, ctx, obj, values):
        ctx.rubrics[values["indicator"]] = obj

    plan_lookup = "indicator__plan"
    export_related = ("indicator",)
    export_ordering = ("indicator__order", "indicator_id")

    def export_row(self, r, context=None):
        return {"indicator": r.indicator.key, "title": r.title, "note": r.note}


class RubricLevelSheet(SheetSpec):
    name = "ระดับเกณฑ์"
    model = RubricLevel
    columns = [
        Col("ตัวชี้วัด (รหัสอ้างอิง)", "indicator", "code", required=True, lookup="sheet:เกณฑ์การให้คะแนน:indicator"),
        Col("ระดับ", "level", "int", required=True, width=8),
        Col("เกณฑ์ร้อยละความสำเร็จ (ตามที่พิมพ์)", "threshold_text", field="threshold_text", width=24),
        Col("เกณฑ์ร้อยละ (ตัวเลข)", "threshold_percent", "decimal", field="threshold_percent", width=12),
        Col("วิธีวัดผล", "description", field="description", width=60),
        Col("คะแนน", "points", "decimal", field="points", width=10),
    ]
    identity_attrs = ("indicator", "level")

    def existing(self, ctx):
        ctx.levels = {(lv.rubric.indicator.key, lv.level): lv for lv in RubricLevel.objects
                      .filter(rubric__indicator__plan=ctx.plan).select_related("rubric__indicator")}
        return dict(ctx.levels)

    def new(self, ctx, values):
        return RubricLevel(rubric=self._rubric, level=values["level"])

    def resolve(self, ctx, values, errors):
        self._rubric = _ref(ctx, ctx.rubrics, values.get("indicator"), errors, self.columns[0].header,
                            "rubric", RubricSheet.name)
        if values.get("level") is not None and not 1 <= values["level"] <= 5:
            errors.append(("ระดับ", _("The level must be 1 to 5.")))
        if self._rubric is None:
            raise Skip
        return _plain(values, "threshold_text", "threshold_percent", "description", "points"), {}

    def register(self, ctx, obj, values):
        ctx.levels[(values["indicator"], obj.level)] = obj

    plan_lookup = "rubric__indicator__plan"
    export_related = ("rubric__indicator",)
    export_ordering = ("rubric__indicator__order", "rubric__indicator_id", "-level")

    def export_row(self, lv, context=None):
        return {"indicator": lv.rubric.indicator.key, "level": lv.level, "threshold_text": lv.threshold_text,
                "threshold_percent": lv.threshold_percent, "description": lv.description, "points": lv.points}


class RubricConditionSheet(SheetSpec):
    name = "เงื่อนไขเกณฑ์"
    model = RubricCondition
    columns = [
        Col("ตัวชี้วัด (รหัสอ้างอิง)", "indicator", "code", required=True, lookup="sheet:เกณฑ์การให้คะแนน:indicator"),
        Col("ระดับ", "level", "int", required=True, width=8),
        Col("ลำดับ", "order", "int", required=True, width=8),
        Col("ชนิด", "kind", "choice", required=True, choices=CONDITION_KINDS, lookup="condition_kinds", field="kind"),
        Col("ตัววัด", "measure", field="measure", width=30),
        Col("เครื่องหมาย", "operator", "choice", choices=OPERATORS, lookup="operators", field="operator", width=10),
        Col("ค่า", "value", "decimal", field="value", width=10),
        Col("หน่วย", "unit", field="unit", lookup="units", width=10),
        Col("ข้อความ", "text", field="text", width=60),
    ]
    identity_attrs = ("indicator", "level", "order")

    def existing(self, ctx):
        return {(c.level.rubric.indicator.key, c.level.level, c.order): c for c in RubricCondition.objects
                .filter(level__rubric__indicator__plan=ctx.plan).select_related("level__rubric__indicator")}

    def new(self, ctx, values):
        return RubricCondition(level=self._level, order=values["order"])

    def resolve(self, ctx, values, errors):
        self._level = ctx.levels.get((values.get("indicator"), values.get("level")))
        if self._level is None:
            errors.append(("ระดับ", _("No level %(level)s of the rubric of the indicator «%(indicator)s» in the "
                                      "sheet «%(sheet)s»") % {"level": values.get("level"),
                                                              "indicator": values.get("indicator"),
                                                              "sheet": RubricLevelSheet.name}))
            raise Skip
        out = _plain(values, "kind", "measure", "operator", "value", "unit", "text")
        if out["kind"] == "threshold" and not (out.get("measure") and out.get("operator") and out.get("value") is not None):
            errors.append(("ชนิด", _("A numeric criterion needs a measure, an operator and a value.")))
        return out, {}

    plan_lookup = "level__rubric__indicator__plan"
    export_related = ("level__rubric__indicator",)
    export_ordering = ("level__rubric__indicator__order", "level__rubric__indicator_id", "-level__level", "order")

    def export_row(self, c, context=None):
        return {"indicator": c.level.rubric.indicator.key, "level": c.level.level, "order": c.order, "kind": c.kind,
                "measure": c.measure, "operator": c.operator, "value": c.value, "unit": c.unit, "text": c.text}


class ProjectSheet(SheetSpec):
    name = "โครงการ"
    model = Project
    columns = [
        Col("รหัสอ้างอิง", "key", "code", required=True, width=14),
        Col("ส่วนที่", "section", "int", required=True, field="section", lookup="sections", width=8),
        Col("เป็นรายการย่อยของ (รหัสอ้างอิง)", "parent", "code", field="parent", lookup="sheet:โครงการ:key"),
        Col("ลำดับที่ในตารางสรุป", "sequence", "code", field="sequence", width=10),
        Col("เลขที่ในตารางรายละเอียด", "number", "code", field="number", width=10),
        Col("ชื่อโครงการ", "name", required=True, field="name", width=60),
        Col("งบประมาณ (บาท)", "budget", "decimal", field="budget", width=16, number_format="#,##0.00"),
        Col("งบประมาณตามที่พิมพ์", "budget_text", field="budget_text", width=16),
        Col("ฝ่ายที่รับผิดชอบ", "division", field="division", lookup="sheet:ฝ่าย:name", width=30),
        Col("ฝ่ายตามที่พิมพ์", "division_text", field="division_text", width=24),
        Col("งาน", "work_group", field="work_group", lookup="sheet:งาน:name", width=30),
        Col("รหัสยุทธศาสตร์ (๖ หลัก)", "strategy_code", "code", field="strategy_code", width=12),
        Col("รหัสนโยบาย (คั่นด้วยช่องว่าง)", "policies", "words", field="policies", width=16),
        Col("นโยบาย/OKR ตามที่พิมพ์", "policy_text", field="policy_text", width=24),
        Col("องค์ประกอบกรอบยุทธศาสตร์", "node", "code", field="node", lookup="sheet:กรอบยุทธศาสตร์:key"),
        Col("เป็นโครงการเดียวกับ (รหัสอ้างอิง)", "same_as", "code", field="same_as", lookup="sheet:โครงการ:key"),
        Col("ลำดับ", "order", "int", field="order", width=8),
        Col("หมายเหตุ", "notes", field="notes", width=30),
    ]
    identity_attrs = ("key",)
    self_refs = {"parent": "parent", "same_as": "same_as"}

    def existing(self, ctx):
        ctx.projects = {p.key: p for p in Project.objects.filter(plan=ctx.plan).exclude(key="")
                        .prefetch_related("policies")}
        return {(k,): p for k, p in ctx.projects.items()}

    def new(self, ctx, values):
        return Project(plan=ctx.plan, key=values["key"])

    def resolve(self, ctx, values, errors):
        cols = {c.attr: c.header for c in self.columns}
        out = _plain(values, "sequence", "number", "name", "budget", "budget_text", "division_text", "strategy_code",
                     "policy_text", "notes", "section")
        out["order"] = values.get("order") or 0
        if values.get("section") is not None and values["section"] not in (1, 2, 3):
            errors.append((cols["section"], _("The section must be 1, 2 or 3.")))
        if values.get("budget") is not None and values["budget"] < 0:
            errors.append((cols["budget"], _("The budget cannot be negative.")))
        code = values.get("strategy_code") or ""
        if code and not re.fullmatch(r"[0-9]{6}", to_ascii_digits(code)):
            errors.append((cols["strategy_code"], _("«%(code)s»: a strategy code is 6 digits.") % {"code": code}))
        out["strategy_code"] = to_ascii_digits(code)
        for attr in ("parent", "same_as"):
            out[attr] = _ref(ctx, ctx.projects, values.get(attr), errors, cols[attr], "project", self.name,
                             deferrable=True)
        out["node"] = _ref(ctx, ctx.nodes, values.get("node"), errors, cols["node"], "element", NodeSheet.name)
        division = _ref(ctx, ctx.divisions, values.get("division"), errors, cols["division"], "division", DivisionSheet.name)
        out["division"] = division
        out["work_group"] = None
        if values.get("work_group"):
            if division is None:
                errors.append((cols["work_group"], _("Give the responsible division before the work group.")))
            else:
                out["work_group"] = ctx.work_groups.get((division.name, values["work_group"]))
                if out["work_group"] is None:
                    errors.append((cols["work_group"], _("No work group «%(name)s» of %(division)s (it must be in the "
                                                         "sheet «%(sheet)s»)")
                                   % {"name": values["work_group"], "division": division.name,
                                      "sheet": WorkGroupSheet.name}))
        policies = []
        for code in values.get("policies") or []:
            code = to_ascii_digits(code).upper()
            policy = ctx.policies.get(code)
            if policy is None:
                errors.append((cols["policies"], _("No policy code «%(code)s» (it must be in the sheet «%(sheet)s»)")
                               % {"code": code, "sheet": PolicySheet.name}))
            else:
                policies.append(policy)
        return out, {"policies": policies}

    def register(self, ctx, obj, values):
        ctx.projects[obj.key] = obj

    export_related = ("parent", "same_as", "node", "division", "work_group")
    export_prefetch = ("policies",)
    export_ordering = ("section", "order", "pk")

    def export_row(self, p, context=None):
        return {
            "key": p.key, "section": p.section, "parent": p.parent.key if p.parent_id else "",
            "sequence": p.sequence, "number": p.number, "name": p.name, "budget": p.budget,
            "budget_text": p.budget_text, "division": p.division.name if p.division_id else "",
            "division_text": p.division_text, "work_group": p.work_group.name if p.work_group_id else "",
            "strategy_code": p.strategy_code, "policies": [x.code for x in p.policies.all()],
            "policy_text": p.policy_text, "node": p.node.key if p.node_id else "",
            "same_as": p.same_as.key if p.same_as_id else "", "order": p.order, "notes": p.notes,
        }


class ProjectIndicatorSheet(SheetSpec):
    name = "โครงการกับตัวชี้วัด"
    model = ProjectIndicator
    columns = [
        Col("โครงการ (รหัสอ้างอิง)", "project", "code", required=True, lookup="sheet:โครงการ:key"),
        Col("ตัวชี้วัด (รหัสอ้างอิง)", "indicator", "code", required=True, lookup="sheet:ตัวชี้วัด:key"),
        Col("ตามที่พิมพ์", "printed", field="printed", width=24),
    ]
    identity_attrs = ("project", "indicator")

    def existing(self, ctx):
        return {(pi.project.key, pi.indicator.key): pi for pi in ProjectIndicator.objects
                .filter(project__plan=ctx.plan).select_related("project", "indicator")}

    def new(self, ctx, values):
        return ProjectIndicator(project=self._project, indicator=self._ind)

    def resolve(self, ctx, values, errors):
        self._project = _ref(ctx, ctx.projects, values.get("project"), errors, self.columns[0].header, "project",
                             ProjectSheet.name)
        self._ind = _ref(ctx, ctx.indicators, values.get("indicator"), errors, self.columns[1].header, "indicator",
                         IndicatorSheet.name)
        return {"printed": values.get("printed", "")}, {}

    plan_lookup = "project__plan"
    export_related = ("project", "indicator")
    export_ordering = ("project__section", "project__order", "project_id", "indicator__order", "pk")

    def export_row(self, pi, context=None):
        return {"project": pi.project.key, "indicator": pi.indicator.key, "printed": pi.printed}


class KeyResultLinkSheet(SheetSpec):
    name = "ตาราง ง"
    model = KeyResultLink
    columns = [
        Col("ลำดับ", "order", "int", required=True, width=8),
        Col("ด้าน (รหัสอ้างอิง)", "area", "code", field="area", lookup="sheet:กรอบยุทธศาสตร์:key"),
        Col("เป้าประสงค์ (รหัสอ้างอิง)", "objective", "code", field="objective", lookup="sheet:กรอบยุทธศาสตร์:key"),
        Col("ผลลัพธ์หลัก (รหัสอ้างอิง)", "indicator", "code", field="indicator", lookup="sheet:ตัวชี้วัด:key"),
        Col("ผลลัพธ์หลักตามที่พิมพ์", "kr_text", field="kr_text", width=40),
        Col("หน่วยนับ", "unit", field="unit", lookup="units", width=12),
        Col("ค่าเป้าหมายเมืองตามที่พิมพ์", "target_text", field="target_text", width=24),
        Col("โครงการ (รหัสอ้างอิง)", "project", "code", field="project", lookup="sheet:โครงการ:key"),
        Col("โครงการตามที่พิมพ์", "project_text", field="project_text", width=40),
        Col("งบประมาณ (บาท)", "budget", "decimal", field="budget", width=16, number_format="#,##0.00"),
        Col("งบประมาณตามที่พิมพ์", "budget_text", field="budget_text", width=16),
        Col("ค่าเป้าหมายตัวชี้วัดโครงการ", "project_kpi_target", field="project_kpi_target", width=24),
        Col("หมายเหตุ", "notes", field="notes", width=30),
    ]
    identity_attrs = ("order",)

    def existing(self, ctx):
        return {(k.order,): k for k in KeyResultLink.objects.filter(plan=ctx.plan)}

    def new(self, ctx, values):
        return KeyResultLink(plan=ctx.plan, order=values["order"])

    def resolve(self, ctx, values, errors):
        cols = {c.attr: c.header for c in self.columns}
        out = _plain(values, "kr_text", "unit", "target_text", "project_text", "budget", "budget_text",
                     "project_kpi_target", "notes")
        out["area"] = _ref(ctx, ctx.nodes, values.get("area"), errors, cols["area"], "element", NodeSheet.name)
        out["objective"] = _ref(ctx, ctx.nodes, values.get("objective"), errors, cols["objective"], "element",
                                NodeSheet.name)
        out["indicator"] = _ref(ctx, ctx.indicators, values.get("indicator"), errors, cols["indicator"], "indicator",
                                IndicatorSheet.name)
        out["project"] = _ref(ctx, ctx.projects, values.get("project"), errors, cols["project"], "project",
                              ProjectSheet.name)
        return out, {}

    export_related = ("area", "objective", "indicator", "project")
    export_ordering = ("order", "pk")

    def export_row(self, k, context=None):
        return {"order": k.order, "area": k.area.key if k.area_id else "",
                "objective": k.objective.key if k.objective_id else "",
                "indicator": k.indicator.key if k.indicator_id else "", "kr_text": k.kr_text, "unit": k.unit,
                "target_text": k.target_text, "project": k.project.key if k.project_id else "",
                "project_text": k.project_text, "budget": k.budget, "budget_text": k.budget_text,
                "project_kpi_target": k.project_kpi_target, "notes": k.notes}


class WorkStepSheet(SheetSpec):
    name = "ขั้นตอนการดำเนินงาน"
    model = WorkStep
    columns = [
        Col("โครงการ (รหัสอ้างอิง)", "project", "code", required=True, lookup="sheet:โครงการ:key"),
        Col("ขั้นที่", "number", "int", required=True, width=8),
        Col("ขั้นตอน", "name", required=True, field="name", width=60),
        Col("น้ำหนัก (ร้อยละ)", "weight", "decimal", field="weight", width=10),
        Col("ร้อยละสะสม", "cumulative_percent", "decimal", field="cumulative_percent", width=10),
        Col("เดือนที่ดำเนินการ (๑ = ต.ค. … ๑๒ = ก.ย.)", "months", "months", field="months", width=20),
        Col("หมายเหตุ", "notes", field="notes", width=30),
    ]
    identity_attrs = ("project", "number")

    def existing(self, ctx):
        return {(s.project.key, s.number): s for s in WorkStep.objects.filter(project__plan=ctx.plan)
                .select_related("project")}

    def new(self, ctx, values):
        return WorkStep(project=self._project, number=values["number"])

    def resolve(self, ctx, values, errors):
        self._project = _ref(ctx, ctx.projects, values.get("project"), errors, self.columns[0].header, "project",
                             ProjectSheet.name)
        for attr in ("weight", "cumulative_percent"):
            v = values.get(attr)
            if v is not None and not 0 <= v <= 100:
                errors.append((self.col(attr).header, _("Must be between 0 and 100")))
        if self._project is None:
            raise Skip
        return {**_plain(values, "name", "weight", "cumulative_percent", "notes"),
                "months": values.get("months") or []}, {}

    plan_lookup = "project__plan"
    export_related = ("project",)
    export_ordering = ("project__section", "project__order", "project_id", "number")

    def export_row(self, s, context=None):
        return {"project": s.project.key, "number": s.number, "name": s.name, "weight": s.weight,
                "cumulative_percent": s.cumulative_percent, "months": s.months, "notes": s.notes}


class TotalSheet(SheetSpec):
    name = "ยอดรวมที่พิมพ์"
    model = PrintedTotal
    columns = [
        Col("ลำดับ", "position", "int", required=True, width=8),
        Col("ส่วนที่", "section", "int", required=True, field="section", lookup="sections", width=8),
        Col("รายการ", "label", field="label", width=40),
        Col("จำนวนเงิน (บาท)", "amount", "decimal", field="amount", width=16, number_format="#,##0.00"),
        Col("จำนวนรายการ", "count", "int", field="count", width=10),
        Col("ตามที่พิมพ์", "text", field="text", width=30),
        Col("ที่พิมพ์", "source", field="source", width=20),
    ]
    identity_attrs = ("position",)

    def existing(self, ctx):
        return {(i,): t for i, t in enumerate(PrintedTotal.objects.filter(plan=ctx.plan).order_by("section", "id"), 1)}

    def new(self, ctx, values):
        return PrintedTotal(plan=ctx.plan)

    def resolve(self, ctx, values, errors):
        if values.get("section") is not None and values["section"] not in (1, 2, 3):
            errors.append(("ส่วนที่", _("The section must be 1, 2 or 3.")))
        return _plain(values, "section", "label", "amount", "count", "text", "source"), {}

    export_ordering = ("section", "id")

    def export_context(self, queryset):
        """A total is identified by its position among its plan's totals (all of them, even
        when the queryset is a filtered part)."""
        positions, counts = {}, {}
        plans = queryset.order_by().values("plan_id")
        for pk, plan_id in (PrintedTotal.objects.filter(plan__in=plans).order_by("plan_id", *self.export_ordering)
                            .values_list("pk", "plan_id")):
            counts[plan_id] = counts.get(plan_id, 0) + 1
            positions[pk] = counts[plan_id]
        return positions

    def export_row(self, t, context=None):
        return {"position": context[t.pk], "section": t.section, "label": t.label, "amount": t.amount,
                "count": t.count, "text": t.text, "source": t.source}


class VariantSheet(SheetSpec):
    name = "ข้อความที่พิมพ์ต่างกัน"
    model = Variant
    columns = [
        Col("ชนิด", "kind", "choice", required=True, choices=VARIANT_KINDS, lookup="variant_kinds", width=16),
        Col("รหัสอ้างอิง", "key", "code", required=True, width=16),
        Col("ช่อง", "field", required=True, width=16),
        Col("ข้อความที่พิมพ์", "value", width=50),  # empty: that table prints the cell empty
        Col("ที่พิมพ์", "source", width=20),
    ]
    identity_attrs = ("kind", "key", "field", "value", "source")

    def _maps(self, ctx):
        return records_by_kind(ctx)

    def existing(self, ctx):
        self.maps = self._maps(ctx)
        by_ct = {ct.pk: (kind, {o.pk: k for k, o in objs.items()}) for kind, (ct, objs) in self.maps.items()}
        out = {}
        for v in Variant.objects.filter(plan=ctx.plan):
            kind, keys = by_ct.get(v.content_type_id, (None, {}))
            if kind and v.object_id in keys:
                out[(kind, keys[v.object_id], v.field, v.value, v.source)] = v
        return out

    def new(self, ctx, values):
        ct, objs = self.maps[values["kind"]]
        return Variant(plan=ctx.plan, content_type=ct, object_id=self._target.pk, field=values["field"],
                       value=values["value"], source=values.get("source") or "")

    def resolve(self, ctx, values, errors):
        if values.get("kind") in self.maps:
            what = {"node": "framework", "indicator": "indicator", "project": "project"}[values["kind"]]
            self._target = _ref(ctx, self.maps[values["kind"]][1], values.get("key"), errors, "รหัสอ้างอิง",
                                what, VARIANT_KINDS[values["kind"]])
        return {}, {}

    export_ordering = ("content_type", "object_id", "field", "pk")

    def export_context(self, queryset):
        """The keys of what the variants print differently."""
        return keys_by_content_type(queryset)

    def export_row(self, v, context=None):
        kind, keys = context.get(v.content_type_id, (None, {}))
        if not kind or v.object_id not in keys:
            return None  # a record without a key cannot be named in the workbook
        return {"kind": kind, "key": keys[v.object_id], "field": v.field, "value": v.value, "source": v.source}


class DisagreementSheet(SheetSpec):
    """What the document prints differently in two or more places that no computed
    comparison sees (plans.models.Discrepancy): a row per disagreement, its places as
    pairs of columns (where printed, value as printed there)."""

    name = "ข้อที่เอกสารพิมพ์ไม่ตรงกัน"
    model = Discrepancy
    columns = [
        Col("ลำดับ", "order", "int", required=True, field="order", width=8),
        Col("หมวด", "category", "choice", required=True, choices=DISAGREEMENT_CATEGORIES, field="category",
            lookup="disagreement_categories", width=16),
        Col("ความร้ายแรง", "severity", "choice", choices=SEVERITY_LABELS, field="severity", lookup="severities",
            width=12),
        Col("ชนิดของรายการที่เกี่ยวข้อง", "kind", "choice", choices=VARIANT_KINDS, lookup="variant_kinds", width=16),
        Col("รหัสอ้างอิง", "subject", "code", width=16),
        Col("สิ่งที่พิมพ์ไม่ตรงกัน", "what", required=True, field="what", width=30),
        *(col for n in range(1, DISAGREEMENT_PLACES + 1) for col in (
            Col(f"ที่พิมพ์ {n}", f"where{n}", width=36), Col(f"ค่าที่พิมพ์ {n}", f"value{n}", width=24))),
        Col("หมายเหตุ", "notes", field="notes", width=40),
    ]
    identity_attrs = ("order",)
    export_ordering = ("order", "id")

    def _maps(self, ctx):
        return records_by_kind(ctx)

    def existing(self, ctx):
        self.maps = self._maps(ctx)
        return {(d.order,): d for d in Discrepancy.objects.filter(plan=ctx.plan)}

    def new(self, ctx, values):
        return Discrepancy(plan=ctx.plan)

    def resolve(self, ctx, values, errors):
        places = []
        for n in range(1, DISAGREEMENT_PLACES + 1):
            where, value = values.get(f"where{n}") or "", values.get(f"value{n}") or ""
            if value and not where:
                errors.append((f"ที่พิมพ์ {n}", _("Write where this value is printed (section, table, row).")))
            elif where:
                places.append({"where": where, "value": value})
        if len(places) < 2:
            errors.append(("ที่พิมพ์ 1", _("A disagreement needs at least two places, each with the value printed "
                                           "there (%(count)s given).") % {"count": len(places)}))
        content_type, object_id = None, None
        kind, key = values.get("kind"), values.get("subject")
        if key and not kind:
            errors.append(("ชนิดของรายการที่เกี่ยวข้อง", _("Choose what kind of record «%(key)s» is.") % {"key": key}))
        elif key:
            content_type, objs = self.maps[kind]
            what = {"node": "framework", "indicator": "indicator", "project": "project"}[kind]
            target = _ref(ctx, objs, key, errors, "รหัสอ้างอิง", what, VARIANT_KINDS[kind])
            object_id = target.pk if target is not None else None
        fields = _plain(values, "order", "category", "what", "notes")
        fields.update(severity=values.get("severity") or "error", places=places,
                      content_type=content_type if object_id else None, object_id=object_id)
        return fields, {}

    def export_context(self, queryset):
        """The keys of the records the disagreements are about."""
        return keys_by_content_type(queryset)

    def export_row(self, d, context=None):
        kind, keys = context.get(d.content_type_id, (None, {})) if d.content_type_id else (None, {})
        row = {"order": d.order, "category": d.category, "severity": d.severity, "what": d.what, "notes": d.notes,
               "kind": kind if d.object_id in keys else None, "subject": keys.get(d.object_id)}
        for n, place in enumerate(d.places[:DISAGREEMENT_PLACES], 1):
            row[f"where{n}"], row[f"value{n}"] = place.get("where"), place.get("value")
        return row


PLAN_SHEET = "แผน"
PLAN_COLUMNS = [
    Col("ชื่อย่อหน่วยงาน", "organization", required=True, width=18),
    Col("รหัสหน่วยงาน (๘ หลัก)", "org_code", "code", width=14),
    Col("ปีงบประมาณ (พ.ศ.)", "fiscal_year", "year", required=True, width=12),
    Col("ชื่อแผน", "title", required=True, width=60),
    Col("พื้นที่ (ตร.กม.)", "area_km2", "decimal", width=12),
    Col("เอกสารต้นฉบับ", "source", width=30),
    Col("ส่งรายงานภายใน (วันหลังสิ้นงวด)", "report_due_days", "int", width=14),
]

SHEETS: list[SheetSpec] = [
    AgencySheet(), PolicySheet(), DivisionSheet(), WorkGroupSheet(), StatementSheet(), NodeSheet(),
    IndicatorSheet(), TargetSheet(), BaselineSheet(), RubricSheet(), RubricLevelSheet(), RubricConditionSheet(),
    ProjectSheet(), ProjectIndicatorSheet(), KeyResultLinkSheet(), WorkStepSheet(), TotalSheet(), VariantSheet(),
    DisagreementSheet(),
]
SHEETS_BY_NAME = {s.name: s for s in SHEETS}


# -- import ---------------------------------------------------------------------------

def _code(exc: ValidationError) -> str:
    errors = getattr(exc, "error_list", [exc])
    return getattr(errors[0], "code", "") or ""


def _field_error(exc: ValidationError, model_field) -> str:
    code = _code(exc)
    if code in ("blank", "null"):
        return _("This must be filled in")
    if code == "max_length":
        return _("Longer than %(max)s characters") % {"max": model_field.max_length}
    if code in ("max_digits", "max_whole_digits", "max_decimal_places"):
        return _("The number has too many digits")
    if code == "min_value":
        return _("The value is too small (it cannot be negative)")
    if code == "max_value":
        return _("The value is too large")
    if code == "invalid_choice":
        return _("Not one of the choices")
    return "; ".join(exc.messages)


def _ensure_fiscal_year(year: int) -> FiscalYear:
    """The fiscal year and its periods; another organization's import creating the same
    new year at the same moment makes our insert fail on its key once, and the second
    try finds their (now committed) year."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return FiscalYear.ensure(year)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError


def _shown(value) -> str:
    """A stored or imported value as the preview shows it (a related record by the key
    or name the workbook uses for it)."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if hasattr(value, "_meta"):
        if value._meta.model_name in ("division", "workgroup"):
            return value.name  # the workbook names them by name (their short name is a label)
        return str(getattr(value, "key", "") or getattr(value, "short_name", "") or getattr(value, "code", "")
                   or getattr(value, "name", "") or value)
    if isinstance(value, bool):
        return YES if value else "ไม่"
    if isinstance(value, Decimal):
        return format_number(value)  # money and measured values, with thousands separators
    if isinstance(value, list | tuple | set):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


def _changes(obj, fields: dict, headers: dict) -> list[tuple[str, str, str]]:
    """(column, stored value, value in the file) for each field the row changes."""
    out = []
    for name, value in fields.items():
        model_field = obj._meta.get_field(name)
        old = getattr(obj, name) if not model_field.is_relation else getattr(obj, name, None)
        if model_field.is_relation:
            if getattr(obj, model_field.attname) == (value.pk if value is not None else None):
                continue
        elif _same(old, value):
            continue
        out.append((headers.get(name, name), _shown(old), _shown(value)))
    return out


def _same(old, new) -> bool:
    if isinstance(old, str) or isinstance(new, str):
        return (old or "").strip() == (new or "").strip()
    return old == new


class Importer:
    def __init__(self, *, user, filename: str, plan: Plan | None = None):
        self.user = user
        self.filename = filename
        self.given_plan = plan
        self.preview = ImportPreview(filename)

    def run(self, data: bytes, *, dry_run: bool, max_bytes: int = MAX_UPLOAD_BYTES, expect: str | None = None) -> ImportPreview:
        """Check or import; `expect` is the preview's signature: if a stored record the
        file changes was changed by someone else since, nothing is written."""
        preview = self.preview
        organization = user_organization(self.user)
        if organization is None or not policy.allowed(self.user, "plans.import"):
            preview.errors.append(_("Only the organization's planners can import plan data."))
            return preview
        try:
            sheets = read_upload(data, self.filename, max_bytes=max_bytes)
        except SpreadsheetError as exc:
            preview.errors.append(str(exc))
            return preview
        matched = self.match_sheets(sheets)
        if preview.errors:
            return preview
        self.ctx = Context(self.user, organization, _("Imported from file %(name)s") % {"name": self.filename},
                           may_create_reference=policy.allowed(self.user, "plans.create_reference_data"))
        # Fresh sheet objects for this import: a sheet keeps the row it is resolving on
        # itself (self._ind, self.maps...), and module-wide instances were shared by two
        # imports running at once in two threads, each writing the other's rows.
        specs = [type(spec)() for spec in SHEETS]
        try:
            with transaction.atomic():
                # One import of an organization at a time: a second upload of the same file
                # (a double click, a second tab) waits for the first to finish and then sees
                # its rows, instead of inserting the same plan, fiscal year or rows again
                # and failing on their unique constraints.
                Organization.objects.select_for_update().filter(pk=organization.pk).first()
                self.load_reference()
                self.import_plan(matched.get(PLAN_SHEET))
                if self.ctx.plan is not None:
                    self.load_plan_keys(matched)
                for spec in specs:
                    sheet = matched.get(spec.name)
                    if sheet is None:
                        continue
                    outcome = SheetOutcome(spec.name)
                    preview.sheets.append(outcome)
                    if self.ctx.plan is None:
                        outcome.errors.append(_("This sheet was not checked, because the sheet «%(sheet)s» has errors.")
                                              % {"sheet": PLAN_SHEET})
                        continue
                    try:
                        # atomic() and not a bare savepoint: simple-history's bulk writes
                        # mark the transaction broken on a database error, and only an
                        # atomic block clears that mark when it rolls back to its
                        # savepoint (a bare savepoint_rollback raised
                        # TransactionManagementError and hid the real error).
                        with transaction.atomic():
                            self.import_sheet(spec, sheet, outcome)
                            self.refuse_if_judged(spec, outcome)
                    except DatabaseError:
                        logger.exception("workbook import of %s: the database refused sheet %s", self.filename,
                                         spec.name)
                        outcome.errors.append(_("The database refused the data of this sheet (it breaks one of its "
                                                "rules); the administrator has the details."))
                self.warn_totals(matched, preview)
                if not dry_run and expect is not None and not preview.has_errors and preview.signature() != expect:
                    preview.errors.append(_("The plan was changed after you checked the file, so nothing was "
                                            "imported. Please upload the file again to see a new check."))
                if dry_run or preview.has_errors:
                    transaction.set_rollback(True)
        except Exception:  # never a server error, never a partial write (the transaction is gone)
            logger.exception("workbook import of %s failed", self.filename)
            preview.errors.append(_("An unexpected error stopped the import; nothing was saved. Please send this "
                                    "file to the administrator."))
        self.plan = self.ctx.plan if not (dry_run or preview.has_errors) else None
        return preview

    def warn_totals(self, matched, preview) -> None:
        """A printed total or count (the sheet «ยอดรวมที่พิมพ์») that its section's
        projects do not add up to, and work steps whose printed cumulative percents or
        weights do not add up, said in the preview before anything is imported: the plan
        as it will be is in the transaction, so the plan check's own comparisons
        (plandoc.checks) are asked. Warnings, not errors: printed plans do disagree."""
        from .checks import section_budget_sums, section_listed_counts, step_total_findings, total_disagreements

        sheets = {o.name: o for o in preview.sheets}
        if self.ctx.plan is None or preview.has_errors:
            return  # the rows are not all there: sums would say nothing true
        steps = sheets.get(WorkStepSheet.name)
        outcome = sheets.get(TotalSheet.name)
        try:
            with transaction.atomic():
                totals = list(PrintedTotal.objects.filter(plan=self.ctx.plan).order_by("section", "id"))
                sums, counts = section_budget_sums(self.ctx.plan), section_listed_counts(self.ctx.plan)
                step_findings = step_total_findings(self.ctx.plan) if steps is not None else []
        except DatabaseError:
            logger.exception("workbook import of %s: totals not compared", self.filename)
            return
        if steps is not None:
            steps.warnings += [f"{f.subject}: {f.message}" for f in step_findings]
        if outcome is None:
            return
        for section in sorted({t.section for t in totals}):
            printed = [t for t in totals if t.section == section]
            for d in total_disagreements(printed, sums.get(section, Decimal(0)), counts.get(section, 0)):
                values = {"section": section, "label": d["label"], "printed": _shown(d["printed"]),
                          "computed": _shown(d["computed"])}
                if d["kind"] == "amount":
                    outcome.warnings.append(_(
                        "Section %(section)s «%(label)s»: the printed total is %(printed)s baht, but the budgets of "
                        "the section's projects add up to %(computed)s baht (a project with sub-items is counted "
                        "through its sub-items).") % values)
                else:
                    outcome.warnings.append(_(
                        "Section %(section)s «%(label)s»: the printed count is %(printed)s, but the section lists "
                        "%(computed)s projects.") % values)

    def refuse_if_judged(self, spec, outcome) -> None:
        """Targets, baselines and rubrics a locked period was judged against change by no
        path, this import included, until the planner reopens the period."""
        from progress.locks import JUDGED_AGAINST, locked_periods  # the workbook sits above progress (issue 12)

        if spec.model is None or spec.model._meta.label_lower not in JUDGED_AGAINST:
            return
        if not any(r.action in ("new", "update") for r in outcome.rows):
            return
        periods = locked_periods(self.ctx.plan)
        if periods:
            outcome.errors.append(
                _("%(what)s: the results of %(periods)s (a locked period) were judged against it, so it cannot "
                  "change; the planner must reopen the period first.")
                % {"what": spec.model._meta.verbose_name_plural, "periods": ", ".join(str(p) for p in periods)})

    def match_sheets(self, sheets) -> dict:
        matched = {}
        for sheet in sheets:
            if sheet.name in (INSTRUCTIONS_SHEET, LISTS_SHEET):
                continue
            name = sheet.name if (sheet.name in SHEETS_BY_NAME or sheet.name == PLAN_SHEET) else self.guess(sheet)
            if name is None:
                if sheet.header:  # the user's own notes, a pivot table...: said, and left alone
                    self.preview.sheets.append(SheetOutcome(sheet.name, warnings=[
                        _("The sheet «%(sheet)s» is not a sheet of the plan (its name and column headers do not match "
                          "the form), so it was not imported.") % {"sheet": sheet.name}]))
                continue
            if name in matched:
                self.preview.errors.append(_("There is more than one sheet «%(sheet)s».") % {"sheet": name})
            matched[name] = sheet
        if not matched:
            names = ", ".join([PLAN_SHEET] + [s.name for s in SHEETS])
            self.preview.errors.append(_("No sheet of this file is one the system knows (the sheet names it knows: "
                                         "%(names)s), or the column headers do not match the form.")
                                       % {"names": names})
        return matched

    def guess(self, sheet):
        """A CSV (or renamed sheet) is the kind whose required headers it has, most columns matching."""
        best, score = None, 0
        for name, columns in [(PLAN_SHEET, PLAN_COLUMNS)] + [(s.name, s.columns) for s in SHEETS]:
            headers = {c.header for c in columns}
            required = {c.header for c in columns if c.required}
            if required <= set(sheet.header):
                hits = len(headers & set(sheet.header))
                if hits > score:
                    best, score = name, hits
        return best

    def load_reference(self):
        ctx = self.ctx
        ctx.agencies = {o.short_name: o for o in Organization.objects.all()}
        for alias in OrganizationAlias.objects.select_related("organization"):
            ctx.agencies.setdefault(alias.alias, alias.organization)
        ctx.policies = {p.code: p for p in Policy.objects.all()}
        ctx.divisions = {d.name: d for d in Division.objects.filter(organization=ctx.organization)}
        ctx.work_groups = {(wg.division.name, wg.name): wg for wg in
                           WorkGroup.objects.filter(division__organization=ctx.organization).select_related("division")}

    def load_plan_keys(self, matched):
        """What the plan already has, by key, for the sheets not in the file: a file of
        some sheets (a CSV or an admin export of one) names records of the others."""
        ctx, plan = self.ctx, self.ctx.plan
        if NodeSheet.name not in matched:
            ctx.nodes = {n.key: n for n in StrategyNode.objects.filter(plan=plan).exclude(key="")}
        if IndicatorSheet.name not in matched:
            ctx.indicators = {i.key: i for i in Indicator.objects.filter(plan=plan).exclude(key="")}
        if ProjectSheet.name not in matched:
            ctx.projects = {p.key: p for p in Project.objects.filter(plan=plan).exclude(key="")}
        if RubricSheet.name not in matched:
            ctx.rubrics = {r.indicator.key: r for r in Rubric.objects.filter(indicator__plan=plan)
                           .select_related("indicator")}
        if RubricLevelSheet.name not in matched:
            ctx.levels = {(lv.rubric.indicator.key, lv.level): lv for lv in RubricLevel.objects
                          .filter(rubric__indicator__plan=plan).select_related("rubric__indicator")}

    # -- the plan sheet ------------------------------------------------------------
    def import_plan(self, sheet):
        ctx = self.ctx
        if sheet is None:
            plan = self.given_plan
            if plan is None or plan.organization_id != ctx.organization.pk:
                self.preview.errors.append(_("There is no sheet «%(sheet)s», so the plan to import into is not "
                                             "known (choose the plan before importing a CSV file).")
                                           % {"sheet": PLAN_SHEET})
                return
            ctx.plan = plan
            return
        outcome = SheetOutcome(PLAN_SHEET)
        self.preview.sheets.append(outcome)
        records = sheet.records()
        outcome.errors.extend(sheet.errors)
        missing = [c.header for c in PLAN_COLUMNS if c.required and c.header not in sheet.header]
        if missing:
            outcome.errors.append(_("Missing columns: %(columns)s") % {"columns": ", ".join(f"«{m}»" for m in missing)})
            ctx.plan = self.stand_in_plan(None)
            return
        if not records:
            outcome.errors.append(_("This sheet is empty; it must have one row: the organization, the fiscal year and "
                                    "the plan's title."))
            ctx.plan = self.stand_in_plan(None)
            return
        for number, _record in records[1:]:
            outcome.rows.append(RowOutcome(number, "error", "", [("", _("The plan sheet may have only one row."))]))
        number, record = records[0]
        row = RowOutcome(number, "error")
        outcome.rows.append(row)
        values = self.convert_row(PLAN_COLUMNS, record, row)
        own = ctx.organization
        self.check_organization(values, row)
        year = values.get("fiscal_year")
        plan = None
        if year is not None:
            fiscal_year = _ensure_fiscal_year(year)
            plan = Plan.objects.filter(organization=own, fiscal_year=fiscal_year).first()
        fields = {"title": values.get("title") or ""}
        for attr in ("area_km2", "source", "report_due_days"):
            if attr in values:
                fields[attr] = values[attr] if values[attr] is not None else (7 if attr == "report_due_days" else None)
        row.label = values.get("title") or ""
        if row.errors:
            # The other sheets are still checked, against the plan of that year (or a
            # stand-in), so the planner sees every problem of the file at once; nothing
            # is saved, since the file has errors.
            ctx.plan = plan or self.stand_in_plan(year)
            return
        if plan is None:
            plan = Plan(organization=own, fiscal_year=fiscal_year)
            row.action = "new"
        else:
            row.action = "update" if any(not _same(getattr(plan, f), v) for f, v in fields.items()) else "skip"
            if row.action == "update":
                row.changes = _changes(plan, fields, {c.attr: c.header for c in PLAN_COLUMNS})
        if row.action != "skip":
            for f, v in fields.items():
                setattr(plan, f, v)
            if not self.validate(plan, fields, {c.attr: c.header for c in PLAN_COLUMNS}, row):
                ctx.plan = self.stand_in_plan(year) if plan.pk is None else plan
                return
            ctx.save(plan)
        ctx.plan = plan

    def check_organization(self, values, row) -> None:
        """The plan row names the importer's own organization: by its short name, full
        name, department code or a recorded alias, in either column (the planner knows
        the name on the letterhead, not the short name an administrator typed)."""
        own = self.ctx.organization
        names = {own.short_name, own.name, own.code} - {""}
        names |= {alias for alias, org in self.ctx.agencies.items() if org == own}
        for attr, header in (("organization", "ชื่อย่อหน่วยงาน"), ("org_code", "รหัสหน่วยงาน (๘ หลัก)")):
            given = " ".join((values.get(attr) or "").split())
            if not given or given in names or to_ascii_digits(given) == own.code:
                continue
            other = self.ctx.agencies.get(given) or (Organization.objects.filter(code=to_ascii_digits(given))
                                                      .exclude(code="").first()) \
                or Organization.objects.filter(name=given).first()
            if other is not None and other != own:
                message = _("«%(given)s» is %(other)s, another organization; you can import plans of %(own)s only "
                            "(write «%(short)s», «%(name)s» or the code «%(code)s»).")
            else:
                message = _("«%(given)s» is not the name of your organization; write its short name «%(short)s», "
                            "its full name «%(name)s» or its code «%(code)s».")
            row.errors.append((header, message % {"given": given, "other": other.name if other else "", "own": own.name,
                                                  "short": own.short_name, "name": own.name,
                                                  "code": own.code or "—"}))

    def stand_in_plan(self, year) -> Plan:
        """A plan to check the other sheets against when the plan row is wrong: written
        inside the import's transaction, which is rolled back (the file has errors)."""
        own = self.ctx.organization
        existing = Plan.objects.filter(organization=own).order_by("-fiscal_year").first()
        if existing is not None and year is None:
            return existing
        fiscal_year = _ensure_fiscal_year(year or 2500)
        plan = Plan.objects.filter(organization=own, fiscal_year=fiscal_year).first()
        if plan is None:
            plan = Plan.objects.create(organization=own, fiscal_year=fiscal_year, title="-")
        return plan

    # -- the other sheets ----------------------------------------------------------
    def convert_row(self, columns, record, row) -> dict:
        values = {}
        for col in columns:
            if col.header not in record:
                continue
            try:
                values[col.attr] = convert(col, record[col.header])
            except ValueError as exc:
                row.errors.append((col.header, str(exc)))
                continue
            if col.required and values[col.attr] in (None, "", [], {}):
                row.errors.append((col.header, _("This must be filled in")))
        return values

    def validate(self, obj, fields, headers_by_field, row) -> bool:
        ok = True
        for name, value in fields.items():
            model_field = obj._meta.get_field(name)
            if model_field.is_relation:
                continue
            try:
                model_field.clean(value, obj)
            except ValidationError as exc:
                if _code(exc) == "blank":
                    continue  # required columns say so themselves; some fields may be empty as printed
                row.errors.append((headers_by_field.get(name, name), _field_error(exc, model_field)))
                ok = False
        return ok

    def import_sheet(self, spec: SheetSpec, sheet, outcome: SheetOutcome):
        ctx = self.ctx
        outcome.errors.extend(sheet.errors)
        if not sheet.header:
            return  # an empty sheet: nothing to import (rows are never deleted)
        missing = [c.header for c in spec.columns if c.required and c.header not in sheet.header]
        if missing:
            outcome.errors.append(_("Missing columns: %(columns)s") % {"columns": ", ".join(f"«{m}»" for m in missing)})
            return
        records = sheet.records()
        absent = {c.field for c in spec.columns if c.field and c.header not in sheet.header}
        headers = {c.field: c.header for c in spec.columns if c.field}
        existing = spec.existing(ctx)
        key_col = next((c for c in spec.columns if c.attr == "key"), None)
        ctx.sheet_keys = set()
        if key_col:
            for _n, record in records:
                try:
                    ctx.sheet_keys.add(convert(key_col, record.get(key_col.header)))
                except ValueError:
                    pass
        seen: dict[tuple, int] = {}
        deferred = []
        to_create, to_update, update_fields, m2m_sets = [], [], set(), []
        compare_only_new = getattr(spec, "compare_only_new", lambda: False)()
        for number, record in records:
            row = RowOutcome(number, "error")
            outcome.rows.append(row)
            values = self.convert_row(spec.columns, record, row)
            if key_col and values.get("key"):
                row.label = values["key"]
            else:
                row.label = spec.label(values)[:80]
            if row.errors:
                continue
            identity = spec.identity({a: (values.get(a) if values.get(a) is not None else "")
                                      if a == "label" else values.get(a) for a in spec.identity_attrs})
            if identity in seen:
                row.errors.append((spec.col(spec.identity_attrs[0]).header,
                                   _("Same item as row %(row)s (an item may have only one row)")
                                   % {"row": seen[identity]}))
                continue
            seen[identity] = number
            try:
                fields, m2m = spec.resolve(ctx, values, row.errors)
            except Skip:
                continue
            if row.errors:
                continue
            obj = existing.get(identity)
            if obj is None and compare_only_new and not ctx.may_create_reference:
                column = spec.columns[0]
                row.errors.append((column.header, spec.unknown_message(values[column.attr])))
                continue
            if obj is not None and compare_only_new:
                row.action = "skip"  # city-wide reference data: never changed by a plan import
                spec.register(ctx, obj, values)
                continue
            fields = {f: v for f, v in fields.items() if f not in absent}
            m2m = {f: v for f, v in m2m.items() if f not in absent}
            later = {f: values[a] for f, a in spec.self_refs.items() if fields.get(f) is DEFER}
            for f in later:
                fields.pop(f)
            is_new = obj is None
            if is_new:
                obj = spec.new(ctx, values)
            else:
                row.basis = _fingerprint(obj, fields, m2m)
            changed = {}
            for name, value in fields.items():
                model_field = obj._meta.get_field(name)
                if model_field.is_relation:
                    old = getattr(obj, model_field.attname)
                    if old != (value.pk if value is not None else None):
                        changed[name] = value
                elif is_new or not _same(getattr(obj, name), value):
                    changed[name] = value
            m2m_changed = {}
            for name, objs in m2m.items():
                old = set() if is_new else {o.pk for o in getattr(obj, name).all()}
                if old != {o.pk for o in objs}:
                    m2m_changed[name] = objs
            if not is_new:
                row.changes = _changes(obj, changed, headers) + [
                    (headers.get(name, name), _shown(list(getattr(obj, name).all())), _shown(objs))
                    for name, objs in m2m_changed.items()]
            if not self.validate(obj, {f: v for f, v in changed.items()}, headers, row):
                continue
            for name, value in changed.items():
                setattr(obj, name, value)
            if is_new or changed or m2m_changed or later:
                row.action = "new" if is_new else "update"
                if is_new:
                    to_create.append(obj)
                elif changed:
                    to_update.append(obj)
                    update_fields.update(changed)
                m2m_sets += [(obj, name, objs) for name, objs in m2m_changed.items()]
            else:
                row.action = "skip"
            spec.register(ctx, obj, values)
            if later:
                deferred.append((obj, later, row))
        # The sheet's writes, in bulk: its new rows, its changed rows, then the links to
        # rows of the same sheet (a node's parent printed below it), then the m2m sets.
        ctx.create_all(spec.model, to_create)
        ctx.update_all(spec.model, to_update, update_fields)
        lookup = {ProjectSheet: ctx.projects, NodeSheet: ctx.nodes, IndicatorSheet: ctx.indicators}.get(type(spec), {})
        linked, linked_fields = [], set()
        for obj, later, row in deferred:
            for name, key in later.items():
                target = lookup.get(key)
                if target is None or target.pk is None:  # its own row had errors
                    row.errors.append((headers.get(name, name), _("«%(key)s» not found (the row of that item has errors)")
                                       % {"key": key}))
                    row.action = "error"
                else:
                    setattr(obj, name, target)
                    linked_fields.add(name)
            if row.action != "error":
                linked.append(obj)
        ctx.update_all(spec.model, linked, linked_fields)
        for obj, name, objs in m2m_sets:
            # Few rows have these (policy codes, supporting agencies); `set` keeps their
            # many-to-many history, which a bulk write would not.
            obj._change_reason = ctx.reason
            obj._history_user = ctx.user
            getattr(obj, name).set(objs)
        ctx.sheet_keys = set()


def import_workbook(data: bytes, filename: str, *, user, dry_run: bool = True, plan: Plan | None = None,
                    max_bytes: int = MAX_UPLOAD_BYTES, expect: str | None = None) -> ImportPreview:
    """Check (dry_run) or import a plan workbook or one sheet as CSV; all or nothing.
    `expect`: the signature of the preview the user confirmed (see Importer.run)."""
    return Importer(user=user, filename=filename, plan=plan).run(data, dry_run=dry_run, max_bytes=max_bytes, expect=expect)


# -- export ---------------------------------------------------------------------------

INSTRUCTIONS = [
    "แบบฟอร์มแผนปฏิบัติราชการทั้งแผน (นำเข้าและส่งออก)",
    "",
    "วิธีกรอก",
    "• เริ่มที่แผ่นงาน «แผน» แล้วกรอกแผ่นงานอื่นตามลำดับจากซ้ายไปขวา แผ่นงานที่ไม่ใช้ปล่อยว่างได้",
    "• แต่ละแผ่นงานคือข้อมูลหนึ่งชนิด แถวแรกคือหัวคอลัมน์ ห้ามแก้ชื่อแผ่นงานและหัวคอลัมน์ กรอกตั้งแต่แถวที่ ๒ แถวละหนึ่งรายการ",
    "• «รหัสอ้างอิง» คือรหัสถาวรที่ท่านตั้งเองให้แต่ละรายการในแผน (เช่น okr:1.1.01, p2:1.7) ใช้อ้างถึงกันระหว่างแผ่นงาน "
    "เปลี่ยนรหัสอ้างอิง = สร้างรายการใหม่",
    "• อ้างถึงฝ่ายด้วยชื่อฝ่าย อ้างถึงหน่วยงานอื่นด้วยชื่อย่อ (เช่น สนท.) รหัสนโยบายคั่นด้วยช่องว่าง (เช่น P236 P114)",
    "• ตัวเลขพิมพ์เลขไทยหรือเลขอารบิกก็ได้ มีจุลภาคคั่นหลักพันได้ เช่น ๑,๒๕๐,๐๐๐",
    "• ช่องที่มีรายการให้เลือก (ลูกศร) ให้เลือกจากรายการ",
    "• ใส่ค่า ไม่ใช่สูตร (ถ้าใช้สูตร ให้เปิดใน Excel แล้วบันทึกก่อนนำเข้า)",
    "• นำเข้าแล้วระบบจะแสดงตัวอย่างก่อนบันทึก: แถวใหม่ แถวที่แก้ไข (ช่องใดเปลี่ยนจากอะไรเป็นอะไร) แถวที่ไม่เปลี่ยน "
    "และข้อผิดพลาดพร้อมแผ่นงาน แถวและคอลัมน์ ระบบตรวจทุกแผ่นงานแม้แผ่นงานหนึ่งมีข้อผิดพลาด",
    "• การนำเข้าบันทึกทั้งไฟล์หรือไม่บันทึกเลย ถ้ามีข้อผิดพลาดแม้แถวเดียว จะไม่มีการบันทึกใด ๆ",
    "• รายการที่ลบออกจากไฟล์จะไม่ถูกลบออกจากระบบ (ลบได้ที่หน้าจัดการข้อมูล)",
    "• ไฟล์ CSV นำเข้าได้ทีละแผ่นงาน (UTF-8 หรือ TIS-620) ระบบดูชนิดจากหัวคอลัมน์",
    "",
    "แต่ละแผ่นงาน",
    "• «แผน»: มีแถวเดียว «ชื่อย่อหน่วยงาน» ใส่ชื่อย่อ ชื่อเต็ม หรือรหัสหน่วยงานของท่านก็ได้ (แบบฟอร์มเปล่าที่ดาวน์โหลดจากระบบ"
    "ใส่ชื่อย่อและรหัสของหน่วยงานท่านไว้ให้แล้ว) «ปีงบประมาณ (พ.ศ.)» เช่น 2568 (พิมพ์ ค.ศ. ก็ได้ ระบบแปลงให้) "
    "«ชื่อแผน» ตามหน้าปกของแผน",
    "• «หน่วยงานที่เกี่ยวข้อง»: หน่วยงานอื่นที่แผนอ้างถึง ใช้ได้เฉพาะหน่วยงานที่มีในระบบแล้ว หน่วยงานใหม่ต้องให้ผู้ดูแลระบบเพิ่ม "
    "(ไม่ต้องกรอกแผ่นงานนี้ถ้าใช้แต่หน่วยงานที่มีอยู่)",
    "• «นโยบาย»: รหัสนโยบายเป็น P และเลข ๓ หลัก (เช่น P213) ใช้ได้เฉพาะรหัสที่มีในระบบแล้ว รหัสใหม่ต้องให้ผู้ดูแลระบบเพิ่ม",
    "• «ฝ่าย»: ฝ่ายของหน่วยงาน แถวละฝ่าย แผ่นงานอื่นอ้างถึงฝ่ายด้วย «ชื่อฝ่าย» ที่พิมพ์ไว้ในแผ่นงานนี้ทุกตัวอักษร",
    "• «งาน»: งานภายใต้ฝ่าย «ฝ่าย» ใส่ชื่อฝ่ายตามแผ่นงาน «ฝ่าย»",
    "• «ข้อความนำ»: คำนำ วิสัยทัศน์ พันธกิจ จุดแข็ง ฯลฯ แถวละข้อความ เลือก «ประเภท» จากรายการ «ลำดับ» คือลำดับที่พิมพ์",
    "• «กรอบยุทธศาสตร์»: มิติ ยุทธศาสตร์ ด้าน เป้าประสงค์ กลยุทธ์ แถวละรายการ ตั้ง «รหัสอ้างอิง» เอง (เช่น area:1, obj:1.1) "
    "และใส่ «อยู่ภายใต้ (รหัสอ้างอิง)» เป็นรหัสอ้างอิงของรายการที่อยู่เหนือขึ้นไป",
    "• «ตัวชี้วัด»: แถวละตัวชี้วัด ตั้ง «รหัสอ้างอิง» เอง (เช่น okr:1.1.01 หรือ pa:1 สำหรับตัวชี้วัดคำรับรอง) เลือก «ประเภท» "
    "จากรายการ «ฝ่ายที่รายงานผล» คือฝ่ายที่ส่งผลการดำเนินงาน «ค่าเป้าหมาย (ตามที่พิมพ์)» คือข้อความตามเอกสาร "
    "ส่วนตัวเลขเป้าหมายใส่ในแผ่นงาน «ค่าเป้าหมาย»",
    "• «ค่าเป้าหมาย»: ตัวเลขเป้าหมายของตัวชี้วัด แถวละตัวเลข (ตัวชี้วัดที่มีหลายตัววัดใส่หลายแถว «ลำดับ» 1, 2, …)",
    "• «ค่าฐาน»: ผลการดำเนินงานของปีก่อน ๆ แถวละปี",
    "• «เกณฑ์การให้คะแนน»: ตัวชี้วัดที่ให้คะแนนเป็นระดับ (เช่น ตัวชี้วัดคำรับรอง) หนึ่งแถวต่อตัวชี้วัด "
    "ใส่ «ตัวชี้วัด (รหัสอ้างอิง)» และ «ชื่อเกณฑ์»",
    "• «ระดับเกณฑ์»: แถวละระดับ ระดับ 1 ถึง 5 ของเกณฑ์นั้น «วิธีวัดผล» คือข้อความของระดับตามเอกสาร «คะแนน» คือคะแนนของระดับ "
    "«เกณฑ์ร้อยละ (ตัวเลข)» ใส่เมื่อเอกสารกำหนดระดับเป็นร้อยละ",
    "• «เงื่อนไขเกณฑ์»: ข้อความของแต่ละระดับเขียนเป็นเงื่อนไขที่ระบบตรวจได้ แถวละเงื่อนไข "
    "ระดับหนึ่งผ่านเมื่อเงื่อนไขทุกข้อของระดับนั้นเป็นจริง «ตัวชี้วัด (รหัสอ้างอิง)» และ «ระดับ» ต้องตรงกับแถวในแผ่นงาน "
    "«ระดับเกณฑ์» «ลำดับ» คือลำดับของเงื่อนไขในระดับนั้น (1, 2, …)",
    "    – ชนิด «เกณฑ์ตัวเลข»: ตั้งชื่อสิ่งที่วัดใน «ตัววัด» (เช่น ร้อยละความสำเร็จ) เลือก «เครื่องหมาย» (>=, >, <=, <) "
    "ใส่ «ค่า» และ «หน่วย» เช่น ระดับ 5 «ร้อยละความสำเร็จ >= 100 %»",
    "    – ใช้ชื่อ «ตัววัด» เดียวกันทุกตัวอักษรในทุกระดับ (ระดับ 1 ถึง 5 ต่างกันที่ «ค่า») เพราะผู้รายงานกรอกผลของตัววัดนั้น"
    "ครั้งเดียว แล้วระบบเทียบกับเงื่อนไขของทุกระดับ",
    "    – ชนิด «รายการที่ต้องทำ»: สิ่งที่ต้องทำให้เสร็จพร้อมหลักฐาน เขียนใน «ข้อความ» (ไม่ต้องใส่ตัววัด เครื่องหมาย ค่า)",
    "• «โครงการ»: แถวละโครงการ ตั้ง «รหัสอ้างอิง» เอง (เช่น p2:1.1) «ส่วนที่» คือ 1, 2 หรือ 3 ตามส่วนของแผนที่พิมพ์โครงการ "
    "«งบประมาณ (บาท)» เป็นตัวเลข «ฝ่ายที่รับผิดชอบ» ใส่ชื่อฝ่ายตามแผ่นงาน «ฝ่าย»",
    "    – โครงการที่มีรายการย่อย: ใส่โครงการหลักหนึ่งแถว แล้วใส่รายการย่อยแถวละรายการ โดยใส่รหัสอ้างอิงของโครงการหลักใน "
    "«เป็นรายการย่อยของ (รหัสอ้างอิง)»",
    "    – ตัวเลขสรุปของโครงการที่มีรายการย่อย (งบประมาณรวม) ใส่ที่แถวโครงการหลัก งบประมาณของแต่ละรายการใส่ที่แถวรายการย่อย "
    "ยอดรวมของส่วนนับเฉพาะแถวที่ไม่มีรายการย่อย จึงไม่นับซ้ำ",
    "    – «ลำดับที่ในตารางสรุป» ใส่เฉพาะแถวที่พิมพ์ในตารางสรุปของส่วน (โครงการหลัก) รายการย่อยเว้นว่าง",
    "• «โครงการกับตัวชี้วัด»: ตัวชี้วัดของแต่ละโครงการ แถวละคู่ (รหัสอ้างอิงของโครงการและของตัวชี้วัด)",
    "• «ตาราง ง»: ผลลัพธ์หลักระดับเมืองกับโครงการของหน่วยงานตามตาราง ง ของแผน แถวละแถวของตาราง",
    "• «ขั้นตอนการดำเนินงาน»: แถวละขั้นตอนของโครงการ «น้ำหนัก (ร้อยละ)» ของทุกขั้นรวมกันเป็น 100 "
    "«เดือนที่ดำเนินการ» เป็นเลขเดือนของปีงบประมาณ (1 = ต.ค. … 12 = ก.ย.) คั่นด้วยช่องว่าง",
    "• «ยอดรวมที่พิมพ์»: ยอดงบประมาณรวมและจำนวนโครงการที่แผนพิมพ์ไว้ในแต่ละส่วน แถวละยอด ระบบเทียบกับผลรวมของแถวโครงการ "
    "และเตือนในหน้าตรวจสอบก่อนนำเข้าถ้าไม่ตรงกัน",
    "• «ข้อความที่พิมพ์ต่างกัน»: เมื่อเอกสารพิมพ์ชื่อหรือค่าของรายการเดียวกันต่างกันในตารางต่าง ๆ (บันทึกไว้ ไม่ต้องแก้เอกสาร)",
    "• «ข้อที่เอกสารพิมพ์ไม่ตรงกัน»: เรื่องที่เอกสารพิมพ์ไว้ไม่ตรงกันในสองแห่งขึ้นไป ซึ่งระบบคำนวณเทียบเองไม่ได้ "
    "(เช่น งบประมาณที่อยู่ในข้อความ จำนวนคนในตารางหนึ่งกับอีกตารางหนึ่ง เดือนในข้อความกับช่องเดือน สูตรกับนิยาม "
    "วันที่นอกปีงบประมาณ) หนึ่งแถวต่อหนึ่งเรื่อง: «ลำดับ» ตามลำดับในเอกสาร «หมวด» และ «ความร้ายแรง» เลือกจากรายการ "
    "(ข้อผิดพลาด = ตัวเลขต่างกัน ข้อสังเกต = ชื่อเขียนสองแบบ) «ชนิดของรายการที่เกี่ยวข้อง» กับ «รหัสอ้างอิง» "
    "บอกรายการที่เรื่องนี้เกี่ยวข้อง (ว่างได้) แล้วใส่ «ที่พิมพ์ 1» (ส่วนที่ ตาราง แถว) กับ «ค่าที่พิมพ์ 1» "
    "(ตามที่พิมพ์ เลขไทยตามต้นฉบับ) อย่างน้อยสองแห่ง ไม่เกินสี่แห่ง "
    "ไม่ต้องใส่สิ่งที่ระบบเทียบเองอยู่แล้ว (ยอดรวมกับรายการ ข้อความที่พิมพ์ต่างกันของช่องเดียวกัน)",
]


def _lists(plan) -> dict[str, list[str]]:
    units = set(COMMON_UNITS)
    if plan is not None:
        units |= set(Indicator.objects.filter(plan=plan).exclude(unit="").values_list("unit", flat=True))
        units |= set(IndicatorTarget.objects.filter(indicator__plan=plan).exclude(unit="").values_list("unit", flat=True))
    return {
        "org_kinds": list(ORG_KINDS.values()), "statement_kinds": list(STATEMENT_KINDS.values()),
        "node_levels": list(NODE_LEVELS.values()), "indicator_kinds": list(INDICATOR_KINDS.values()),
        "directions": list(DIRECTIONS.values()), "measure_types": list(MEASURE_TYPES.values()),
        "frequencies": list(FREQUENCIES.values()), "condition_kinds": list(CONDITION_KINDS.values()),
        "operators": list(OPERATORS.values()), "variant_kinds": list(VARIANT_KINDS.values()),
        "disagreement_categories": list(DISAGREEMENT_CATEGORIES.values()), "severities": list(SEVERITY_LABELS.values()),
        "sections": ["1", "2", "3"], "yes": [YES], "units": sorted(units),
    }


def _safe(value):
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _offer_own_organization(ws, organization: Organization) -> None:
    """The template's plan row is filled with the planner's organization (short name and
    code: the planner never sees what an administrator typed); the cell's drop-down
    offers the names the import accepts for it (short name, full name, code), the code
    cell's note says the code. The planner adds the year and the title to the same row
    (the import reads one row)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = {col.attr: get_column_letter(i) for i, col in enumerate(PLAN_COLUMNS, 1)}
    name = organization.short_name.replace('"', "")
    # An Excel list is at most 255 characters, its items split at commas.
    accepted = [n.replace('"', "").replace(",", " ") for n in (organization.short_name, organization.name,
                                                               organization.code) if n]
    formula = '"' + ",".join(dict.fromkeys(accepted)) + '"'
    choice = DataValidation(type="list", formula1=formula if len(formula) <= 255 else f'"{name}"', allow_blank=True,
                            errorStyle="stop", showErrorMessage=True, errorTitle="ไม่ใช่หน่วยงานของท่าน",
                            error=f"ชื่อย่อหน่วยงานของท่านคือ {name}",
                            showInputMessage=True, promptTitle="ชื่อย่อหน่วยงาน", prompt=f"หน่วยงานของท่าน: {name}")
    choice.add(f"{columns['organization']}2")
    ws.add_data_validation(choice)
    put_cell(ws, 2, PLAN_COLUMNS.index(next(c for c in PLAN_COLUMNS if c.attr == "organization")) + 1,
             organization.short_name)
    if organization.code:
        put_cell(ws, 2, PLAN_COLUMNS.index(next(c for c in PLAN_COLUMNS if c.attr == "org_code")) + 1,
                 organization.code)
        note = DataValidation(type="textLength", operator="equal", formula1="8", allow_blank=True,
                              showErrorMessage=True, errorTitle="รหัสหน่วยงาน", error="รหัสหน่วยงานมี ๘ หลัก",
                              showInputMessage=True, promptTitle="รหัสหน่วยงาน",
                              prompt=f"รหัสหน่วยงานของท่าน: {organization.code}")
        note.add(f"{columns['org_code']}2")
        ws.add_data_validation(note)


def export_workbook(plan: Plan | None, organization: Organization | None = None) -> bytes:
    """The plan as a workbook (or, for None, the empty template with its instructions;
    with `organization`, the template's plan row offers the planner's organization where
    it asks for it, see _offer_own_organization)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    info = book.active
    info.title = INSTRUCTIONS_SHEET
    for i, line in enumerate(INSTRUCTIONS, 1):
        info.cell(row=i, column=1, value=line)
    info["A1"].font = Font(bold=True, size=14)
    for i, line in enumerate(INSTRUCTIONS, 1):
        if line and not line.lstrip().startswith(("•", "–")) and i > 1:
            info.cell(row=i, column=1).font = Font(bold=True)
    info.column_dimensions["A"].width = 120
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="305496")
    max_rows = 2000

    lists = _lists(plan)
    lists_sheet = book.create_sheet(LISTS_SHEET)
    list_ranges = {}
    for c, (name, items) in enumerate(lists.items(), 1):
        lists_sheet.cell(row=1, column=c, value=name)
        for r, item in enumerate(items, 2):
            put_cell(lists_sheet, r, c, item)
        letter = get_column_letter(c)
        list_ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(items) + 1}"
    lists_sheet.sheet_state = "hidden"

    def write(title, columns, rows):
        ws = book.create_sheet(title)
        for c, col in enumerate(columns, 1):
            cell = ws.cell(row=1, column=c, value=col.header)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions[get_column_letter(c)].width = col.width
        for r, data in enumerate(rows, 2):
            for c, col in enumerate(columns, 1):
                value = _safe(render(col, data.get(col.attr)))
                if value is None or value == "":
                    continue
                cell = put_cell(ws, r, c, value)
                if col.number_format and not isinstance(value, str):
                    cell.number_format = col.number_format
        ws.freeze_panes = "B2" if columns[0].attr in ("key", "indicator", "project") else "A2"
        return ws

    def validate(ws, columns):
        for c, col in enumerate(columns, 1):
            if not col.lookup:
                continue
            if col.lookup.startswith("sheet:"):
                _s, sheet_name, attr = col.lookup.split(":", 2)
                spec = SHEETS_BY_NAME[sheet_name]
                idx = next(i for i, x in enumerate(spec.columns, 1) if x.attr == attr)
                letter = get_column_letter(idx)
                formula = f"{quote_sheetname(sheet_name)}!${letter}$2:${letter}${max_rows}"
                style = "stop"
            else:
                formula = list_ranges[col.lookup]
                style = "warning" if col.lookup == "units" else "stop"
            dv = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle=style,
                                showErrorMessage=True, error="กรุณาเลือกจากรายการ", errorTitle="ค่าไม่อยู่ในรายการ")
            letter = get_column_letter(c)
            dv.add(f"{letter}2:{letter}{max_rows}")
            ws.add_data_validation(dv)

    plan_row = {}
    if plan is not None:
        plan_row = {"organization": plan.organization.short_name, "org_code": plan.organization.code,
                    "fiscal_year": plan.fiscal_year_id, "title": plan.title, "area_km2": plan.area_km2,
                    "source": plan.source, "report_due_days": plan.report_due_days}
    plan_ws = write(PLAN_SHEET, PLAN_COLUMNS, [plan_row] if plan_row else [])
    if plan is None and organization is not None:
        _offer_own_organization(plan_ws, organization)
    for spec in SHEETS:
        ws = write(spec.name, spec.columns, spec.export_rows(plan) if plan is not None else [])
        validate(ws, spec.columns)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
