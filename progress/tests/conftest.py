import pytest

from indicators.models import Indicator
from progress.services import Item
from projects.models import Project


@pytest.fixture
def school_item(real_plan):
    """A project of ฝ่ายการศึกษา (another division)."""
    return Item("project", Project.objects.get(plan=real_plan, key="p2:6.2.1"))


@pytest.fixture
def canal_project(real_plan):
    return Item("project", Project.objects.get(plan=real_plan, key="p2:1.7.1"))


@pytest.fixture
def lamp_item(real_plan):
    """OKR 1.1.03 'ติดตั้งไฟฟ้าแสงสว่างริมคลอง', 10,500 lamps (ดวง) — ฝ่ายโยธา."""
    indicator = Indicator.objects.get(plan=real_plan, key="okr:1.1.03")
    assert indicator.division.name == "ฝ่ายโยธา" and indicator.unit == "ดวง"
    return Item("indicator", indicator)


@pytest.fixture
def flood_item(real_plan):
    """OKR 1.4.05 'แก้ไขจุดเสี่ยงน้ำท่วม', 112 flood points (จุด) — ฝ่ายโยธา."""
    indicator = Indicator.objects.get(plan=real_plan, key="okr:1.4.05")
    assert indicator.division.name == "ฝ่ายโยธา" and indicator.unit == "จุด"
    return Item("indicator", indicator)
