"""medgen plugin: local Hugging Face models through transformers.

- ``hf``: vision-language models (Qwen2.5-VL, MedGemma, Lingshu, HuatuoGPT-Vision, ...) answering in text.
- ``hf_unified``: models that answer in text and draw images (Janus-Pro).

Importing this module is cheap: torch and transformers load when a model is created.
"""

from __future__ import annotations

from typing import Any

from medgen_core.hookspecs import hookimpl

__version__ = "0.1.0"

VLM_CAPABILITIES = ("text_out", "image_in", "multi_image_in")
UNIFIED_CAPABILITIES = ("text_out", "image_out", "image_in", "multi_image_in")


def hf_model(**model_args: Any) -> Any:
    from medgen_hf.vlm import HFModel

    return HFModel(**model_args)


def hf_unified_model(**model_args: Any) -> Any:
    from medgen_hf.unified import HFUnifiedModel

    return HFUnifiedModel(**model_args)


@hookimpl
def medgen_register_models(register) -> None:
    register(
        "hf",
        hf_model,
        capabilities=VLM_CAPABILITIES,
        description=(
            "A transformers vision-language checkpoint (pretrained=PATH_OR_HUB_ID): the model's chat template, "
            "one or several images per prompt, batched generation, greedy unless the task samples."
        ),
    )
    register(
        "hf_unified",
        hf_unified_model,
        capabilities=UNIFIED_CAPABILITIES,
        description=(
            "A transformers model that answers in text and generates images itself (Janus-Pro): text for the "
            "answer, its image-generation mode for the image part."
        ),
    )
