"""medgen plugin: ``classical``, a classical image-processing baseline for every MedGEN-Bench task.

Importing this module is cheap: scikit-image and scipy load at first prediction.
"""

from __future__ import annotations

from medgen_core import CAPABILITIES, hookimpl

__version__ = "0.1.0"


@hookimpl
def medgen_register_models(register) -> None:
    from medgen_classical.model import ClassicalModel

    register(
        "classical",
        ClassicalModel,
        capabilities=CAPABILITIES,
        description=(
            "Classical baseline: per-task image processing (NL-means denoising, Lanczos up-sampling, CLAHE, "
            "artifact filters, stain/window mapping, Otsu contours, montage projections) and template text. "
            "Uses only the prompt, input images, choices, task, format and modality."
        ),
    )
