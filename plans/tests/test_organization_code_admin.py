"""The organization's admin form takes the department code in Thai digits and refuses a
code that is not 8 digits, in Thai, naming the field."""

import pytest

from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db


def test_the_code_is_typed_in_thai_digits_and_stored_in_arabic_ones(client, cast):
    client.force_login(cast.administrator)
    url = f"/admin/plans/organization/{cast.other_org.pk}/change/"
    response = client.post(url, form_data(client.get(url), code="๕๐๔๐๐๐๐๑", change_reason="แก้รหัส"))
    assert response.status_code == 302
    cast.other_org.refresh_from_db()
    assert cast.other_org.code == "50400001"


def test_a_code_of_seven_digits_is_refused_in_thai(client, cast):
    client.force_login(cast.administrator)
    url = f"/admin/plans/organization/{cast.other_org.pk}/change/"
    response = client.post(url, form_data(client.get(url), code="๕๐๔๐๐๐๐", change_reason="แก้รหัส"))
    assert response.status_code == 200
    assert "รหัสหน่วยงาน: ต้องเป็นตัวเลข ๘ หลักพอดี" in response.content.decode()
    cast.other_org.refresh_from_db()
    assert cast.other_org.code == "50400000"
