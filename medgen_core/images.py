"""Decoding and saving images, one place for every mode medical data comes in.

Medical images arrive as 8-bit gray, RGB, RGBA, 16-bit gray, palette or CMYK.
Everything downstream (models, metrics, judges) gets 8-bit ``L``, ``RGB`` or
``RGBA``: 16-bit values map linearly onto 0-255 (``v / 257``), so the same
file always gives the same pixels, whatever else is in the batch.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medgen_core.errors import ImageError

if TYPE_CHECKING:
    from PIL.Image import Image


@dataclass(frozen=True)
class ImageRef:
    """An image by reference: a file inside a dataset or run folder, or embedded bytes.

    ``ref`` is what logs record (a path relative to the data root, or a
    ``parquet:`` locator); the pixels are read only when asked for.
    """

    ref: str
    path: Path | None = None
    data: bytes | None = field(default=None, repr=False, compare=False)
    _decoded: Any = field(default=None, init=False, repr=False, compare=False, hash=False)

    def read_bytes(self) -> bytes:
        if self.data is not None:
            return self.data
        if self.path is None:
            raise ImageError(f"image {self.ref!r} has neither a path nor bytes")
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise ImageError(f"cannot read image {self.ref!r} ({self.path}): {exc.strerror or exc}") from exc

    def sha256(self) -> str:
        return hashlib.sha256(self.read_bytes()).hexdigest()

    def open(self) -> Image:
        """Decode to an 8-bit ``L``, ``RGB`` or ``RGBA`` image (see :mod:`medgen_core.images`).

        After :meth:`check`, the pixels it decoded are reused (a copy: callers may change it).
        """
        if self._decoded is not None:
            return self._decoded.copy()
        return decode_image(self.read_bytes(), self.ref)

    def check(self) -> None:
        """Decode the image once, as every later stage would, and keep the pixels for them.

        Raises :class:`ImageError` for an empty file, a file that is no image, a truncated one, or one
        over the pixel limit (``MEDGEN_MAX_IMAGE_PIXELS``). Only images up to :data:`KEEP_DECODED`
        pixels are kept, so a chunk of samples never holds unbounded memory.
        """
        img = decode_image(self.read_bytes(), self.ref)
        if img.width * img.height <= KEEP_DECODED:
            object.__setattr__(self, "_decoded", img)


DEFAULT_MAX_PIXELS = 100_000_000  # 10,000 x 10,000: far above any 2D image of the benchmark
KEEP_DECODED = 16_000_000  # pixels of a checked image kept decoded for later stages (4,000 x 4,000)


def max_pixels() -> int:
    """The largest image medgen decodes (``MEDGEN_MAX_IMAGE_PIXELS``): a defence against decompression bombs."""
    raw = os.environ.get("MEDGEN_MAX_IMAGE_PIXELS", "")
    return int(raw) if raw.strip().isdigit() else DEFAULT_MAX_PIXELS


def decode_image(data: bytes, ref: str = "<bytes>") -> Image:
    """Decode encoded image bytes and normalise the mode (see the module doc).

    Every failure is an :class:`ImageError` naming ``ref`` and what is wrong in plain words; the size is
    checked from the header, before any pixel is decoded.
    """
    from PIL import Image as PILImage

    if not data:
        raise ImageError(f"image {ref!r} is an empty file (0 bytes)")
    try:
        img = PILImage.open(io.BytesIO(data))
    except PILImage.DecompressionBombError as exc:  # over PIL's own limit, which is above ours by default
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(found.group(1)):,} pixels" if found else "too many pixels"
        raise ImageError(
            f"image {ref!r} is {size}, over the limit of {max_pixels():,} (MEDGEN_MAX_IMAGE_PIXELS)"
        ) from None
    except PILImage.UnidentifiedImageError:
        raise ImageError(f"image {ref!r} is not an image medgen can read (unknown format or corrupt header)") from None
    except Exception as exc:  # PIL raises many types for corrupt files
        raise ImageError(f"cannot decode image {ref!r}: {exc}") from None
    pixels, limit = img.width * img.height, max_pixels()
    if pixels > limit:
        raise ImageError(
            f"image {ref!r} is {img.width}x{img.height} = {pixels:,} pixels, over the limit of {limit:,} "
            "(MEDGEN_MAX_IMAGE_PIXELS)"
        )
    try:
        img.load()
    except Exception as exc:
        raise ImageError(f"cannot decode image {ref!r}: {exc}") from None
    return normalise_mode(img)


def normalise_mode(img: Image) -> Image:
    """Return an 8-bit ``L``, ``RGB`` or ``RGBA`` copy of ``img``."""
    import numpy as np
    from PIL import Image as PILImage

    mode = img.mode
    if mode in ("L", "RGB", "RGBA"):
        return img
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        arr = np.asarray(img, dtype=np.float64)
        arr = np.clip(arr, 0, 65535) / 257.0
        return PILImage.fromarray(np.rint(arr).astype(np.uint8), mode="L")
    if mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        scale = 255.0 if np.nanmax(arr) <= 1.0 else 1.0
        arr = np.clip(np.nan_to_num(arr) * scale, 0, 255)
        return PILImage.fromarray(np.rint(arr).astype(np.uint8), mode="L")
    if mode in ("1", "LA", "La"):
        return img.convert("L")
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in img.info
        return img.convert("RGBA" if has_alpha else "RGB")
    return img.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBX, ...


def to_pil(image: Any, what: str = "image") -> Image:
    """Accept a PIL image, encoded bytes, a file path or an :class:`ImageRef`."""
    from PIL.Image import Image as PILImageType

    if isinstance(image, PILImageType):
        return normalise_mode(image)
    if isinstance(image, ImageRef):
        return image.open()
    if isinstance(image, (bytes, bytearray)):
        return decode_image(bytes(image), what)
    if isinstance(image, (str, Path)):
        return ImageRef(str(image), Path(image)).open()
    raise ImageError(f"{what}: expected a PIL image, bytes or a path, got {type(image).__name__}")


def encode_png(img: Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def store_content_addressed(data: bytes, folder: Path, suffix: str = ".png") -> Path:
    """Write encoded image bytes named by their SHA-256 (atomically); return the path.

    Content addressing makes a rerun after a crash write the same file again,
    never a second copy, and lets identical outputs share one file.
    """
    sha = hashlib.sha256(data).hexdigest()
    path = folder / sha[:2] / f"{sha}{suffix}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return path


def contact_sheet(images: list[Image], tile: int = 384) -> Image:
    """Tile several images into one labelled sheet ("Image 1", ...), for one-image models.

    The authors' code does this for multi-image VQA; native multi-image input
    is better, so tasks choose it with ``multi_image: contact_sheet``.
    """
    import math

    from PIL import Image as PILImage
    from PIL import ImageDraw

    cols = math.ceil(math.sqrt(len(images)))
    rows = math.ceil(len(images) / cols)
    label_h = 20
    sheet = PILImage.new("RGB", (cols * tile, rows * (tile + label_h)), "black")
    draw = ImageDraw.Draw(sheet)
    for i, img in enumerate(images):
        thumb = img.convert("RGB")
        thumb.thumbnail((tile, tile), PILImage.Resampling.LANCZOS)
        x, y = (i % cols) * tile, (i // cols) * (tile + label_h)
        draw.text((x + 4, y + 4), f"Image {i + 1}", fill="white")
        sheet.paste(thumb, (x + (tile - thumb.width) // 2, y + label_h + (tile - thumb.height) // 2))
    return sheet
