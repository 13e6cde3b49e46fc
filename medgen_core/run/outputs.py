"""Checking a model's output and saving its image into the run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medgen_core.images import decode_image, encode_png, store_content_addressed, to_pil
from medgen_core.types import ImageRef, MedgenError, ModelOutput

_SIGNATURES = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg"}


class OutputError(MedgenError):
    """A model output of the wrong type or shape for the task."""


def check_output(output: Any, output_type: str, model_name: str) -> tuple[str | None, Any, list[str]]:
    """(text, image, missing parts) of a valid output; raise :class:`OutputError` otherwise."""
    if not isinstance(output, ModelOutput):
        raise OutputError(f"model {model_name!r} returned {type(output).__name__}, expected ModelOutput")
    if output.text is not None and not isinstance(output.text, str):
        raise OutputError(f"model {model_name!r}: ModelOutput.text is {type(output.text).__name__}, expected str")
    missing = []
    if output_type in ("text", "text+image") and output.text is None:
        missing.append("text")
    if output_type in ("image", "text+image") and output.image is None:
        missing.append("image")
    wanted = {"text": ["text"], "image": ["image"], "text+image": ["text", "image"]}[output_type]
    if missing == wanted:
        raise OutputError(f"model {model_name!r} returned no {' and no '.join(missing)} for a {output_type} task")
    return output.text, output.image, missing


def save_image(image: Any, run_folder: Path) -> str:
    """Store an output image under ``images/`` by content hash; return its run-relative path.

    Encoded PNG/JPEG bytes (or a file of them) are kept as they are; anything
    else is decoded and written as PNG.
    """
    folder = run_folder / "images"
    raw: bytes | None = None
    checked = False  # an input image the run already decoded (e.g. returned unchanged) needs no second decode
    if isinstance(image, (bytes, bytearray)):
        raw = bytes(image)
    elif isinstance(image, ImageRef):
        raw, checked = image.read_bytes(), image._decoded is not None
    elif isinstance(image, (str, Path)):
        raw = ImageRef(str(image), Path(image)).read_bytes()
    if raw is not None:
        suffix = next((ext for sig, ext in _SIGNATURES.items() if raw.startswith(sig)), None)
        if suffix is not None:
            if not checked:
                decode_image(raw, "the model's output image")  # a truncated file fails here, not in scoring
            return str(store_content_addressed(raw, folder, suffix).relative_to(run_folder))
        image = raw
    png = encode_png(to_pil(image, "the model's output image"))
    return str(store_content_addressed(png, folder).relative_to(run_folder))
