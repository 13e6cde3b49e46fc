"""Loading a diffusers pipeline by class name and telling editing pipelines from text-to-image ones."""

from __future__ import annotations

import difflib
import inspect
from typing import Any

from medgen_core import MedgenError

AUTO = "auto"


def pipeline_class(name: str, model: str) -> Any:
    """The diffusers class called ``name`` (``auto``: whatever the checkpoint's model_index.json names)."""
    import diffusers

    if name == AUTO:
        return diffusers.DiffusionPipeline
    found = getattr(diffusers, name, None)
    if isinstance(found, type) and hasattr(found, "from_pretrained"):
        return found
    known = [n for n in dir(diffusers) if n.endswith("Pipeline") or n.startswith("AutoPipelineFor")]
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise MedgenError(
        f"model {model!r}: diffusers has no pipeline class {name!r}.{hint} Use auto (the checkpoint's own class) "
        "or a class such as StableDiffusionInstructPix2PixPipeline or AutoPipelineForImage2Image"
    )


def call_parameters(pipe: Any) -> set[str]:
    return set(inspect.signature(pipe.__call__).parameters)


def edits_images(pipe: Any) -> bool:
    """An editing / image-to-image pipeline takes an ``image`` to start from."""
    return "image" in call_parameters(pipe)


def image_to_image_variant(pipe: Any, model: str) -> Any:
    """The image-to-image pipeline sharing this text-to-image pipeline's weights (SD -> SD img2img)."""
    from diffusers import AutoPipelineForImage2Image

    try:
        return AutoPipelineForImage2Image.from_pipe(pipe)
    except Exception as exc:  # diffusers raises ValueError for classes it cannot map
        raise MedgenError(
            f"model {model!r}: {type(pipe).__name__} draws from text only and has no image-to-image variant "
            f"({exc}); for editing tasks name an editing pipeline with pipeline=..."
        ) from None
