"""Images: checked by decoding them, then stored re-encoded, so that nothing but the picture
is kept.

An image file may carry more than its pixels: an HTML page or a script appended after the
image data, a `<?php` in a GIF or JPEG comment, EXIF with the camera's GPS position, XMP,
text chunks. `clean_image` decodes the first frame with Pillow (within the pixel limit) and
writes a new file of the same format from the pixels alone:

* JPEG stays JPEG, with the original's quantisation tables and chroma subsampling (so the
  quality it was saved at; quality 92 where they cannot be read), Huffman tables optimised;
* PNG stays PNG (lossless, its mode and transparency kept);
* GIF stays GIF (its palette and transparent colour kept);
* WebP stays WebP, lossless if the original was, else at quality 90.

The EXIF orientation is applied to the pixels before the EXIF is dropped, so photos stay
upright. An embedded ICC colour profile is applied (converted to sRGB) where littlecms can,
then dropped. Animations keep their first frame only: evidence is a still picture.
Re-encoding is deterministic, so the same upload gives the same stored file (and the
nomination keeps one copy of it).
"""

from __future__ import annotations

import io
import struct
import tempfile
import warnings
from typing import Any, BinaryIO, cast

from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageOps, JpegImagePlugin, UnidentifiedImageError

from app.errors import Invalid
from app.evidence.filetypes import (
    GIF,
    IMAGE_FORMATS,
    JPEG,
    MAX_IMAGE_PIXELS,
    MB,
    PNG,
    WEBP,
    FileType,
    refuse,
)

JPEG_FALLBACK_QUALITY = 92
WEBP_QUALITY = 90
_FORMAT_NAMES = {file_type: name for name, file_type in IMAGE_FORMATS.items()}

# What Pillow raises on a damaged or hostile image, besides its own errors.
DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    IndexError,
    TypeError,
    MemoryError,
)


def _broken(expected: FileType) -> Invalid:
    return refuse(
        _(
            "The image is damaged or incomplete and cannot be opened (%(format)s).",
            format=expected.extension[1:].upper(),
        )
    )


def _too_large_bomb() -> Invalid:
    return refuse(
        _(
            "The image is too large and may be a malicious file; please make it smaller "
            "and upload it again."
        )
    )


def check_image(stream: BinaryIO, expected: FileType) -> FileType:
    """The image must be what its magic says, of a sane size, and really decode."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; treat both as refusals.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            stream.seek(0)
            with Image.open(stream, formats=list(IMAGE_FORMATS)) as image:
                if IMAGE_FORMATS.get(image.format or "") != expected:
                    raise _broken(expected)
                width, height = image.size
                if width < 1 or height < 1:
                    raise _broken(expected)
                if width * height > MAX_IMAGE_PIXELS:
                    raise refuse(
                        _(
                            "The image is too large (%(width)s×%(height)s pixels): at most "
                            "%(mp)s megapixels; please make it smaller and upload it again.",
                            width=width,
                            height=height,
                            mp=MAX_IMAGE_PIXELS // 1_000_000,
                        )
                    )
                image.verify()  # structure and checksums (PNG: every chunk's CRC)
            if expected is not PNG:
                # verify() barely looks at JPEG, GIF and WebP data: decode (JPEG at 1/8).
                stream.seek(0)
                with Image.open(stream, formats=list(IMAGE_FORMATS)) as image:
                    if expected is JPEG:
                        image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    image.load()
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large_bomb() from None
    except DECODE_ERRORS:
        raise _broken(expected) from None
    finally:
        stream.seek(0)
    return expected


def clean_image(stream: BinaryIO, file_type: FileType) -> BinaryIO:
    """The image in `stream` (already checked) written anew from its pixels alone: a file
    at position 0. Raises Invalid if it cannot be decoded in full."""
    out = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=4 * MB))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            stream.seek(0)
            with Image.open(stream, formats=list(IMAGE_FORMATS)) as opened:
                if opened.width * opened.height > MAX_IMAGE_PIXELS:
                    raise _too_large_bomb()
                opened.seek(0)  # the first frame of an animation
                opened.load()
                image, options = _pixels_and_options(opened, file_type, stream)
                image.save(out, _FORMAT_NAMES[file_type], **options)
    except Invalid:
        out.close()
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        out.close()
        raise _too_large_bomb() from None
    except DECODE_ERRORS:
        out.close()
        raise _broken(file_type) from None
    finally:
        stream.seek(0)
    out.seek(0)
    return out


def _pixels_and_options(
    opened: Image.Image, file_type: FileType, stream: BinaryIO
) -> tuple[Image.Image, dict[str, Any]]:
    """The pixels to write, upright and without metadata, and the encoder's options."""
    transparency = opened.info.get("transparency")
    icc_profile = opened.info.get("icc_profile")
    options: dict[str, Any] = {}
    if file_type is JPEG:
        options = _jpeg_options(opened)
    elif file_type is WEBP:
        options = {"lossless": _webp_is_lossless(stream), "quality": WEBP_QUALITY}
    ImageOps.exif_transpose(opened, in_place=True)  # no copy: a photo may be 50 megapixels
    image = _to_srgb(opened, icc_profile)
    if transparency is not None and (
        (file_type is GIF and image.mode in ("P", "L"))
        or (file_type is PNG and image.mode in ("P", "L", "RGB"))
    ):
        options["transparency"] = transparency  # part of the picture, not metadata
    image = _encodable(image, file_type)
    image.info = {}  # every encoder reads comments, EXIF, XMP and profiles from here
    return image, options


def _jpeg_options(opened: Image.Image) -> dict[str, Any]:
    """The original's quantisation tables and subsampling, where it has them."""
    tables = getattr(opened, "quantization", None)
    sampling = JpegImagePlugin.get_sampling(opened) if tables else -1
    if tables and sampling >= 0:
        return {"qtables": tables, "subsampling": sampling, "optimize": True}
    if tables:
        return {"qtables": tables, "optimize": True}
    return {"quality": JPEG_FALLBACK_QUALITY, "optimize": True}


def _webp_is_lossless(stream: BinaryIO) -> bool:
    """Whether a WebP's image is a lossless bitstream (`VP8L`) rather than a lossy (`VP8 `).

    The RIFF chunks are walked from the start; an extended file (`VP8X`) has optional
    chunks (ICC, animation) before its image.
    """
    stream.seek(12)
    for _chunk in range(64):
        header = stream.read(8)
        if len(header) < 8:
            return False
        fourcc, size = header[:4], struct.unpack("<I", header[4:])[0]
        if fourcc in (b"VP8L", b"VP8 "):
            return fourcc == b"VP8L"
        if fourcc == b"ANMF":  # an animation frame: its image chunk follows 16 bytes in
            stream.seek(16, 1)
            continue
        stream.seek(size + (size & 1), 1)
    return False


def _to_srgb(image: Image.Image, icc_profile: Any) -> Image.Image:
    """Colours converted from the embedded profile to sRGB (the profile then dropped)."""
    if not icc_profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, target, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a profile littlecms cannot use: the colours as they are
    return converted if converted is not None else image


def _encodable(image: Image.Image, file_type: FileType) -> Image.Image:
    """The image in a mode the format's encoder writes."""
    if file_type is JPEG and image.mode not in ("L", "RGB", "CMYK"):
        return image.convert("RGB")
    if file_type is WEBP and image.mode not in ("RGB", "RGBA"):
        return image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
    if file_type is GIF and image.mode not in ("P", "L"):
        return image.convert("P", palette=Image.Palette.ADAPTIVE)
    if file_type is PNG and image.mode not in ("1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"):
        return image.convert("RGBA")
    return image
