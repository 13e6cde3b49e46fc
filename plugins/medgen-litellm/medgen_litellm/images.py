"""Images as data URIs in OpenAI-style message parts, no larger than ``max_side``.

Every provider litellm reaches takes base64 ``data:`` URIs, and downscaling
keeps a multi-image prompt inside the model's context. An image that is
already small enough and stored as 8-bit PNG or JPEG goes unchanged (no
re-encoding, so its bytes, and any cache key over them, stay the same).
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Any, Union

from medgen_core import ImageRef, MedgenError

if TYPE_CHECKING:
    from PIL.Image import Image

ImageInput = Union[ImageRef, "Image", bytes]
DEFAULT_MAX_SIDE = 1024
_PASS_THROUGH = {"PNG": "image/png", "JPEG": "image/jpeg"}


def image_data_uri(image: ImageInput, max_side: int = DEFAULT_MAX_SIDE) -> str:
    """A ``data:image/...;base64,`` URI of ``image``, downscaled so its longer side is at most ``max_side``."""
    from PIL import Image as PILImage

    if max_side < 1:
        raise MedgenError(f"max_side must be a positive number of pixels, got {max_side}")
    if isinstance(image, PILImage.Image):
        return _encode(image, max_side)
    ref = image if isinstance(image, ImageRef) else ImageRef(ref="<bytes>", data=bytes(image))
    data = ref.read_bytes()
    try:
        probe = PILImage.open(io.BytesIO(data))  # reads the header only
        fmt, size, mode = probe.format, probe.size, probe.mode
    except Exception as exc:  # PIL raises many types for corrupt files
        raise MedgenError(f"cannot read image {ref.ref!r}: {exc}") from None
    if fmt in _PASS_THROUGH and max(size) <= max_side and mode in ("L", "RGB", "RGBA"):
        return f"data:{_PASS_THROUGH[fmt]};base64,{base64.b64encode(data).decode('ascii')}"
    return _encode(ref.open(), max_side)


def _encode(img: Image, max_side: int) -> str:
    from PIL import Image as PILImage

    if img.mode not in ("L", "RGB", "RGBA"):
        img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    if max(img.size) > max_side:
        img = img.copy()
        img.thumbnail((max_side, max_side), PILImage.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return f"data:image/png;base64,{base64.b64encode(buf.getvalue()).decode('ascii')}"


def image_bytes(image: ImageInput) -> bytes:
    """Encoded bytes of ``image`` as they are (a file or bytes), or as PNG (a PIL image): for uploads."""
    from PIL import Image as PILImage

    if isinstance(image, PILImage.Image):
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        return buf.getvalue()
    return image.read_bytes() if isinstance(image, ImageRef) else bytes(image)


def text_part(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def image_part(image: ImageInput, max_side: int = DEFAULT_MAX_SIDE) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": image_data_uri(image, max_side)}}


def labelled_image_parts(images: list[tuple[str, ImageInput]], max_side: int = DEFAULT_MAX_SIDE) -> list[dict]:
    """A text label before each image (``Image "Input":``), so the model can tell them apart."""
    parts: list[dict[str, Any]] = []
    for label, image in images:
        parts.append(text_part(f'Image "{label}":'))
        parts.append(image_part(image, max_side))
    return parts
