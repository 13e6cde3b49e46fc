"""medgen plugin: ``diffusers``, local image generators and editors through Hugging Face diffusers.

Editing pipelines (InstructPix2Pix, img2img, any class named by ``pipeline=``)
edit the input image for editing tasks; text-to-image pipelines (Stable
Diffusion, FLUX, ...) edit through their image-to-image variant and draw from
the prompt when asked for images from text.

Importing this module is cheap: torch and diffusers load when the model is created.
"""

from __future__ import annotations

from typing import Any

from medgen_core.hookspecs import hookimpl

__version__ = "0.1.0"

CAPABILITIES = ("image_out", "image_in")


def diffusers_model(**model_args: Any) -> Any:
    from medgen_diffusers.model import DiffusersModel

    return DiffusersModel(**model_args)


@hookimpl
def medgen_register_models(register) -> None:
    register(
        "diffusers",
        diffusers_model,
        capabilities=CAPABILITIES,
        description=(
            "A diffusers pipeline (pretrained=PATH_OR_HUB_ID, pipeline=CLASS|auto): image editing (InstructPix2Pix, "
            "img2img) for editing tasks, text-to-image from a prompt; seeded, byte-identical per seed."
        ),
    )
