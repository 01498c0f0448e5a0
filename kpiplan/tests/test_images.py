"""Phone photos as evidence (kpiplan.lib.images): made smaller and upright, the date the
photo was taken kept; small images kept byte for byte; damaged ones refused."""

import io
from datetime import datetime

import pytest
from PIL import Image

from kpiplan.lib.images import DATETIME_ORIGINAL, EXIF_IFD, UnreadableImage, check_image, shrink_photo, taken_at

BLUE, RED = (0, 0, 255), (200, 10, 10)


def phone_photo(size=(4000, 3000), *, orientation=6, when="2023:12:14 09:30:15") -> bytes:
    """A camera JPEG stored sideways: a blue block in its stored top-left corner, EXIF
    orientation 6 (turn 90° clockwise to show) and the moment it was taken."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (0, 0, 400, 300))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = when
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def near(colour, expected):
    return all(abs(a - b) < 12 for a, b in zip(colour, expected, strict=True))


def test_it_shrinks_a_phone_photo_turns_it_upright_and_keeps_the_date():
    photo = shrink_photo(phone_photo())
    stored = Image.open(io.BytesIO(photo.data))
    assert stored.format == "JPEG"
    # 4000 × 3000 stored sideways: upright it is 3000 wide, 4000 tall → 1500 × 2000.
    assert stored.size == (1500, 2000)
    # Turned clockwise, the stored top-left corner is now the top-right one.
    assert near(stored.getpixel((1490, 10)), BLUE) and near(stored.getpixel((10, 10)), RED)
    assert stored.getexif().get(0x0112) in (None, 1)  # no second turn by a viewer
    assert taken_at(stored) == datetime(2023, 12, 14, 9, 30, 15) == photo.taken_at
    assert len(photo.data) < len(phone_photo()) / 2


def test_it_keeps_a_small_png_as_it_is():
    out = io.BytesIO()
    Image.new("RGB", (640, 480), BLUE).save(out, "PNG")
    photo = shrink_photo(out.getvalue())
    assert photo.data is None and photo.taken_at is None


def test_it_shrinks_a_large_png_as_a_png():
    out = io.BytesIO()
    Image.new("RGB", (3000, 1000), BLUE).save(out, "PNG")
    stored = Image.open(io.BytesIO(shrink_photo(out.getvalue()).data))
    assert stored.format == "PNG" and stored.size == (2000, 667)


@pytest.mark.parametrize("data", [
    b"\xff\xd8\xff\xe0 not really a jpeg",
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
    phone_photo((800, 600))[:2000],  # cut off in the middle of the pixels
])
def test_it_refuses_a_damaged_image(data):
    import weasyprint  # noqa: F401 - as in every process that renders PDFs: it makes Pillow accept cut-off files

    with pytest.raises(UnreadableImage):
        check_image(data)
    with pytest.raises(UnreadableImage):
        shrink_photo(data)


def test_a_strict_check_leaves_pillow_as_weasyprint_set_it():
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    with pytest.raises(UnreadableImage):
        check_image(phone_photo((800, 600))[:2000])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # PDFs keep rendering as before


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_yet_strictly():
    """Draft mode: a 6000 × 4000 photo is decoded at half size (a quarter of the pixels
    in memory), still never below 2000 px; a cut-off one is still refused."""
    from kpiplan.lib.images import _open

    photo = phone_photo((6000, 4000), orientation=1)
    image, size = _open(photo, draft=2000)
    assert size == (6000, 4000) and image.size == (3000, 2000)
    shrunk = Image.open(io.BytesIO(shrink_photo(photo).data))
    assert shrunk.size == (2000, 1333)
    with pytest.raises(UnreadableImage):
        shrink_photo(photo[: len(photo) // 2])


def test_a_thumbnail_is_a_small_upright_jpeg_even_of_a_transparent_png():
    from kpiplan.lib.images import thumbnail

    sideways = Image.open(io.BytesIO(thumbnail(phone_photo((1600, 1200)))))  # orientation 6: stored sideways
    assert sideways.format == "JPEG" and sideways.size == (120, 160)
    out = io.BytesIO()
    Image.new("RGBA", (400, 200), (0, 0, 0, 0)).save(out, "PNG")
    clear = Image.open(io.BytesIO(thumbnail(out.getvalue())))
    assert clear.size == (160, 80) and clear.convert("RGB").getpixel((5, 5)) == (255, 255, 255)
