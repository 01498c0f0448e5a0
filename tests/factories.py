"""Factories for hand-made plans in tests."""

import factory
from django.contrib.auth.models import Group, User

from accounts.models import Profile
from indicators.models import Indicator, Rubric, RubricLevel
from plans.models import Division, FiscalYear, Organization, Plan, PrintedTotal
from projects.models import Project, WorkStep


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    short_name = factory.Sequence(lambda n: f"สนข.ทดสอบ{n}")
    name = factory.Sequence(lambda n: f"สำนักงานเขตทดสอบ {n}")
    kind = Organization.Kind.DISTRICT


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"ฝ่ายทดสอบ {n}")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    organization = factory.SubFactory(OrganizationFactory)
    fiscal_year = factory.LazyFunction(lambda: FiscalYear.ensure(2568))
    title = "แผนปฏิบัติราชการประจำปี พ.ศ. ๒๕๖๘"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    plan = factory.SubFactory(PlanFactory)
    kind = Indicator.Kind.OKR
    code = factory.Sequence(lambda n: f"9.9.{n:02d}")
    name = factory.Sequence(lambda n: f"ตัวชี้วัดทดสอบ {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    plan = factory.SubFactory(PlanFactory)
    section = 2
    name = factory.Sequence(lambda n: f"โครงการทดสอบ {n}")


class PrintedTotalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrintedTotal

    plan = factory.SubFactory(PlanFactory)
    section = 2
    label = "รวมงบประมาณทั้งสิ้น"


class RubricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rubric

    indicator = factory.SubFactory(IndicatorFactory, kind=Indicator.Kind.AGREEMENT, weight=10)


class RubricLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricLevel

    rubric = factory.SubFactory(RubricFactory)


class WorkStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkStep

    project = factory.SubFactory(ProjectFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = "ขั้นตอน"
    weight = 50


def make_user(username, role=None, organization=None, division=None, *, staff=None, superuser=False):
    user = User.objects.create_user(username=username, password="pw-" + username)
    if role:
        user.groups.add(Group.objects.get(name=role))
    user.is_staff = staff if staff is not None else role in ("planner", "administrator")
    user.is_superuser = superuser
    user.save()
    Profile.objects.create(user=user, organization=organization, division=division)
    return user


def one_pixel_png() -> bytes:
    """A real PNG (evidence images are decoded before they are stored)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    return out.getvalue()
