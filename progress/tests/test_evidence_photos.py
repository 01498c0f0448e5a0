"""Evidence taken with a phone camera: the entry form offers the camera, a large photo
is stored smaller and upright with its date, PDFs and small images are stored as they
came, and a damaged picture is refused in Thai with its name, nothing typed lost."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from kpiplan.lib.images import taken_at
from kpiplan.tests.test_images import phone_photo
from progress.models import Evidence, ProgressEntry

pytestmark = pytest.mark.django_db


def url_for(period, item):
    return reverse("progress:entry", args=[period.pk, item.kind, item.obj.pk])


def post(client, period, item, **files):
    return client.post(url_for(period, item), {
        "action": "save", "version": "0", "value": "5", "narrative": "ถ่ายภาพหน้างาน", **files,
    })


def stored(evidence):
    with evidence.file.open("rb") as f:
        return f.read()


def test_it_offers_the_camera_and_the_allowed_types(client, cast, period, road_item):
    client.force_login(cast.staff)
    page = client.get(url_for(period, road_item)).content.decode()
    assert 'accept="image/*,application/pdf,.pdf,.png,.jpg,.jpeg"' in page
    assert 'capture="environment"' in page and "ถ่ายภาพ" in page


def test_it_stores_a_camera_photo_smaller_upright_and_dated(client, cast, period, road_item):
    client.force_login(cast.staff)
    photo = phone_photo()
    response = post(client, period, road_item, evidence_photo=SimpleUploadedFile("image.jpg", photo, "image/jpeg"))
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    image = Image.open(io.BytesIO(stored(evidence)))
    assert image.size == (1500, 2000) and evidence.content_type == "image/jpeg"
    assert evidence.size == evidence.file.size < len(photo)
    assert taken_at(image).isoformat() == "2023-12-14T09:30:15"
    assert evidence.original_name == "image.jpg"
    # the moment the camera took it (its local clock) is kept and shown beside the file
    assert timezone.localtime(evidence.taken_at).isoformat() == "2023-12-14T09:30:15+07:00"
    page = client.get(reverse("progress:entry", args=[period.pk, "indicator", road_item.obj.pk])).content.decode()
    assert "ถ่ายเมื่อ ๑๔ ธันวาคม ๒๕๖๖ ๐๙:๓๐" in page


def test_it_takes_files_and_a_photo_together(client, cast, period, road_item):
    client.force_login(cast.staff)
    response = post(client, period, road_item,
                    evidence=[SimpleUploadedFile("หนังสือ.pdf", b"%PDF-1.4 x")],
                    evidence_photo=SimpleUploadedFile("ภาพ.jpg", phone_photo((800, 600))))
    assert response.status_code == 302
    assert sorted(Evidence.objects.values_list("original_name", flat=True)) == ["ภาพ.jpg", "หนังสือ.pdf"]


def test_it_keeps_pdfs_and_small_images_byte_for_byte(client, cast, period, road_item):
    client.force_login(cast.staff)
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (0, 90, 0)).save(out, "PNG")
    png, pdf, small = out.getvalue(), b"%PDF-1.4 the minutes of the meeting", phone_photo((1200, 900))
    response = post(client, period, road_item, evidence=[
        SimpleUploadedFile("map.png", png), SimpleUploadedFile("minutes.pdf", pdf), SimpleUploadedFile("small.jpg", small),
    ])
    assert response.status_code == 302
    kept = {e.original_name: stored(e) for e in Evidence.objects.all()}
    assert kept == {"map.png": png, "minutes.pdf": pdf, "small.jpg": small}


def test_a_damaged_picture_is_refused_in_thai_with_its_name(client, cast, period, road_item):
    client.force_login(cast.staff)
    response = post(client, period, road_item,
                    evidence=[SimpleUploadedFile("หน้างาน.jpg", b"\xff\xd8\xff\xe0 half a photo")])
    page = response.content.decode()
    assert response.status_code == 400
    assert "ไฟล์หลักฐาน: หน้างาน.jpg ดูเหมือนเป็นไฟล์ภาพแต่เปิดไม่ได้" in page
    assert "ถ่ายภาพหน้างาน" in page  # what was typed is still there
    assert not Evidence.objects.exists() and not ProgressEntry.objects.exists()
