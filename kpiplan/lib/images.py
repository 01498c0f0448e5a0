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


def _open(data: bytes) -> Image.Image:
    try:
        with _STRICT:
            lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
            try:
                image = Image.open(io.BytesIO(data))
                image.load()  # decodes every pixel: a damaged or cut-off file fails here
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise UnreadableImage(str(error)) from error
    return image


def check_image(data: bytes) -> None:
    """Raise UnreadableImage unless the bytes decode as an image."""
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


def shrink_photo(data: bytes, *, longest: int = LONGEST_SIDE, quality: int = JPEG_QUALITY) -> Photo:
    """The photo made no longer than `longest` px, upright, in its own format (JPEG at
    `quality`), its EXIF (with the date taken) kept; `data` is None when the image is
    small enough and is kept byte for byte. Raises UnreadableImage."""
    image = _open(data)
    when = taken_at(image)
    if max(image.size) <= longest:
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
