"""Evidence taken with a phone camera: the entry form offers the camera, a large photo
is stored smaller and upright with its date, PDFs and small images are stored as they
came, and a damaged picture is refused in Thai with its name, nothing typed lost."""

import io
import os

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


def noise_photo(size=(6000, 4000), quality=90) -> bytes:
    """A 24-megapixel photo of noise, which JPEG cannot pack: about 20 MB, as a phone saves one."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def test_a_phone_photo_over_10_mb_is_accepted_made_smaller_and_stored_under_10_mb(client, cast, period, road_item):
    client.force_login(cast.staff)
    photo = noise_photo()
    assert len(photo) > 10 * 1024 * 1024
    response = post(client, period, road_item, evidence_photo=SimpleUploadedFile("IMG_big.jpg", photo, "image/jpeg"))
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    image = Image.open(io.BytesIO(stored(evidence)))
    assert max(image.size) == 2000 and image.size == (2000, 1333)
    assert evidence.size == evidence.file.size < 10 * 1024 * 1024


def test_a_file_over_the_photo_limit_or_a_non_image_over_10_mb_is_refused_in_thai(client, cast, period, road_item):
    client.force_login(cast.staff)
    pdf = b"%PDF-1.4 " + b"0" * (11 * 1024 * 1024)
    response = post(client, period, road_item, evidence=[SimpleUploadedFile("รายงานฉบับเต็ม.pdf", pdf)])
    page = response.content.decode()
    assert response.status_code == 400
    assert "ไฟล์หลักฐาน: รายงานฉบับเต็ม.pdf มีขนาด 11.0 MB แต่ขนาดสูงสุดที่รับได้คือ 10 MB" in page
    assert "ถ่ายภาพหน้างาน" in page and not Evidence.objects.exists() and not ProgressEntry.objects.exists()


def test_a_picture_still_too_large_after_shrinking_is_refused_naming_it(client, cast, period, road_item, settings):
    settings.EVIDENCE_MAX_BYTES = 200 * 1024
    client.force_login(cast.staff)
    out = io.BytesIO()
    Image.frombytes("RGB", (600, 600), os.urandom(600 * 600 * 3)).save(out, "PNG")  # about 1 MB, under 2000 px
    response = post(client, period, road_item, evidence=[SimpleUploadedFile("แผนที่.png", out.getvalue())])
    page = response.content.decode()
    assert response.status_code == 400
    assert "แผนที่.png" in page and "หลังย่อ" in page
    assert not Evidence.objects.exists()
