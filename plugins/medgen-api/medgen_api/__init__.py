"""medgen-api: model backends reached through litellm, and the paper's compositional pipeline.

Registers ``api`` (chat VLMs: text out), ``api_image`` (image generation and
editing), ``api_unified`` (text and images from one call) and ``compose`` (a
VLM half and an image half, each any registered model). Importing it is cheap:
litellm loads when a model is built.
"""

from __future__ import annotations

from typing import Any

from medgen_core import hookimpl

__version__ = "0.1.0"


@hookimpl
def medgen_register_models(register: Any) -> None:
    from medgen_api.chat import ApiModel, UnifiedModel
    from medgen_api.compose import ComposeModel
    from medgen_api.image import ApiImageModel

    register(
        "api",
        ApiModel,
        capabilities=("text_out", "image_in", "multi_image_in"),
        description="A chat VLM through litellm (GPT-4o, Gemini, Claude, or vLLM/SGLang/Ollama serving "
        "Qwen2.5-VL, MedGemma, ...): text out. Args: model=..., see docs/api-models.md.",
    )
    register(
        "api_image",
        ApiImageModel,
        capabilities=("image_out", "image_in", "multi_image_in"),
        description="An image model through litellm (gpt-image-1, Imagen, ...): edits the input image, or "
        "generates from the prompt when there is none. Args: model=..., see docs/api-models.md.",
    )
    register(
        "api_unified",
        UnifiedModel,
        capabilities=("text_out", "image_out", "image_in", "multi_image_in"),
        description="A unified model through litellm: one chat call returns text and images (Gemini image "
        "models, OpenRouter). Args: model=..., see docs/api-models.md.",
    )
    register(
        "compose",
        ComposeModel,
        capabilities=("text_out", "image_out", "image_in"),
        description='The compositional pipeline: vlm="NAME:args" plans (answer + image prompt), '
        'image="NAME:args" edits or generates; each half any registered model. See docs/api-models.md.',
    )
