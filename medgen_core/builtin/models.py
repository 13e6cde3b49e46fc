"""Reference models for sanity checks: ``oracle`` (a ceiling) and ``identity`` (a floor)."""

from __future__ import annotations

from medgen_core.hookspecs import hookimpl
from medgen_core.types import CAPABILITIES, MedgenError, ModelOutput, ModelRequest


class OracleModel:
    """Returns the reference answer and reference image: every metric at its best."""

    batch_size = 64

    def predict(self, requests: list[ModelRequest]) -> list[ModelOutput | BaseException]:
        return [self._one(r) for r in requests]

    @staticmethod
    def _one(request: ModelRequest) -> ModelOutput | BaseException:
        sample = request.sample
        wants_image = request.output_type != "text"
        if wants_image and sample.reference_image is None:
            return MedgenError(f"sample {sample.id!r} ({sample.source}) has no reference image for the oracle")
        return ModelOutput(
            text=sample.answer if request.output_type != "image" else None,
            image=sample.reference_image if wants_image else None,
        )


class IdentityModel:
    """Returns the input image unchanged and an empty answer: a floor."""

    batch_size = 64

    def predict(self, requests: list[ModelRequest]) -> list[ModelOutput | BaseException]:
        return [self._one(r) for r in requests]

    @staticmethod
    def _one(request: ModelRequest) -> ModelOutput | BaseException:
        wants_image = request.output_type != "text"
        if wants_image and not request.images:
            return MedgenError(f"sample {request.sample.id!r} ({request.sample.source}) has no input image to return")
        return ModelOutput(
            text="" if request.output_type != "image" else None,
            image=request.images[0] if wants_image else None,
        )


@hookimpl
def medgen_register_models(register) -> None:
    register("oracle", OracleModel, capabilities=CAPABILITIES, description="Reference answer and image (ceiling).")
    register("identity", IdentityModel, capabilities=CAPABILITIES, description="Input image, empty answer (floor).")
