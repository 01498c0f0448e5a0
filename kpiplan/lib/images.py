"""Photos taken as evidence with a phone camera: checked and made smaller before storage.

A phone photo is 4000 × 3000 px and several megabytes, stored sideways with an EXIF
"orientation" tag. Kept as it came it fills the disk and opens rotated in viewers that
ignore the tag. We keep at most LONGEST_SIDE px on the long side, turn the pixels the way
the tag says (and drop the tag), and keep the EXIF date the photo was taken, which is
what makes a photo evidence of *when*. Framework-free: bytes in, bytes out.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

LONGEST_SIDE = 2000
JPEG_QUALITY = 85
# EXIF tags: the sub-directory with the camera's details, and the moment it took the photo.
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003
DATETIME = 0x0132


class UnreadableImage(ValueError):
    """The bytes claim to be an image (PNG or JPEG signature) but Pillow cannot decode them."""


@dataclass(frozen=True)
class Photo:
    data: bytes | None  # the smaller image, or None when the original is kept as it is
    taken_at: datetime | None  # EXIF DateTimeOriginal, local time as the camera wrote it


# WeasyPrint sets Pillow's global ImageFile.LOAD_TRUNCATED_IMAGES on import (so every
# process that renders a PDF has it), and then Pillow fills a cut-off file's missing
# pixels with grey instead of failing. Evidence is decoded strictly, the global put back
# at once; the lock keeps two uploads in one process from interleaving the switch.
_STRICT = threading.Lock()


def _source(data):
    """Pillow reads bytes or an open file (an upload in a temporary file is not read into memory)."""
    if isinstance(data, bytes | bytearray):
        return io.BytesIO(data)
    data.seek(0)
    return data


def _open(data, *, draft: int | None = None) -> tuple[Image.Image, tuple[int, int]]:
    """The decoded image and its size as stored. With `draft`, a JPEG larger than that
    on both sides is decoded at 1/2, 1/4 or 1/8 scale, never below `draft` px on either
    side: a 25 MB 6000 × 4000 phone photo then costs a quarter of its pixels in memory.
    Every byte is still decoded, so a cut-off file fails as it does at full size."""
    try:
        with _STRICT:
            lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
            try:
                image = Image.open(_source(data))
                size = image.size
                if draft and image.format == "JPEG" and min(size) > draft:
                    image.draft("RGB", (draft, draft))
                image.load()  # decodes every pixel: a damaged or cut-off file fails here
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise UnreadableImage(str(error)) from error
    return image, size


def check_image(data) -> None:
    """Raise UnreadableImage unless the bytes (or the open file) decode as an image."""
    _open(data)


def taken_at(image: Image.Image) -> datetime | None:
    exif = image.getexif()
    text = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def shrink_photo(data, *, longest: int = LONGEST_SIDE, quality: int = JPEG_QUALITY) -> Photo:
    """The photo (bytes or an open file) made no longer than `longest` px, upright, in its
    own format (JPEG at `quality`), its EXIF (with the date taken) kept; `data` is None
    when the image is small enough and is kept byte for byte. Raises UnreadableImage."""
    image, size = _open(data, draft=longest)
    when = taken_at(image)
    if max(size) <= longest:
        return Photo(None, when)
    kind = image.format
    exif = image.getexif()
    upright = ImageOps.exif_transpose(image)  # also removes the orientation tag
    upright.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    exif.pop(0x0112, None)  # orientation: the pixels are upright now
    out = io.BytesIO()
    if kind == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=quality, optimize=True, exif=exif.tobytes())
    else:
        upright.save(out, "PNG", optimize=True, exif=exif.tobytes())
    return Photo(out.getvalue(), when)


THUMBNAIL_SIDE = 160


def thumbnail(data, *, side: int = THUMBNAIL_SIDE, quality: int = 75) -> bytes:
    """A small upright JPEG of the image (bytes or an open file), for the evidence list:
    a few kilobytes instead of the photo. Raises UnreadableImage."""
    image, _size = _open(data, draft=side)
    small = ImageOps.exif_transpose(image)
    small.thumbnail((side, side), Image.Resampling.LANCZOS)
    if small.mode not in ("RGB", "L"):
        small = small.convert("RGBA")
        background = Image.new("RGB", small.size, (255, 255, 255))  # transparency shown on white
        background.paste(small, mask=small.getchannel("A"))
        small = background
    out = io.BytesIO()
    small.save(out, "JPEG", quality=quality)
    return out.getvalue()
