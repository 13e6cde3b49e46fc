"""The ``hf_unified`` model: one transformers checkpoint that answers in text and draws images.

Text goes through the same chat-template path as ``hf``. Images come from the
checkpoint family's own image-generation mode (Janus-Pro: ``generation_mode=
"image"``, classifier-free guidance, seeded sampling, decoded by its VQ
model). The image generator sees the prompt, not the input images: that is
what these models' text-to-image mode takes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import torch

from medgen_core import MedgenError, ModelOutput, ModelRequest
from medgen_hf.accelerator import seed_everything
from medgen_hf.args import number
from medgen_hf.batching import predict_prepared
from medgen_hf.vlm import HFModel, LocalVLM, predict_text


class JanusImages:
    """Janus / Janus-Pro text-to-image: image tokens sampled with CFG, decoded by the VQ model."""

    def __init__(self, vlm: LocalVLM, guidance: float | None) -> None:
        self.vlm = vlm
        self.guidance = guidance  # None: the checkpoint's generation_config (Janus-Pro: 5)

    def generate(self, prompts: list[str], seed: int) -> list[Any]:
        vlm = self.vlm
        texts = [vlm.chat_prompt(prompt, []) for prompt in prompts]
        batch = vlm.processor(text=texts, generation_mode="image", padding=True, return_tensors="pt")
        kwargs: dict[str, Any] = {"generation_mode": "image", "do_sample": True, "use_cache": True}
        if self.guidance is not None:
            kwargs["guidance_scale"] = self.guidance
        seed_everything(seed)
        with torch.inference_mode():
            tokens = vlm.model.generate(**batch.to(vlm.input_device), **kwargs)
            pixels = vlm.model.decode_image_tokens(tokens)  # (batch, height, width, channels), normalised
        return [self._to_pil(p) for p in pixels]

    def _to_pil(self, pixels: torch.Tensor) -> Any:
        """Undo the image processor's normalisation into an 8-bit RGB image."""
        from PIL import Image

        processor = self.vlm.processor.image_processor
        mean = torch.tensor(processor.image_mean, dtype=torch.float32)
        std = torch.tensor(processor.image_std, dtype=torch.float32)
        unit = (pixels.float().cpu() * std + mean).clamp(0, 1)
        return Image.fromarray((unit * 255).round().to(torch.uint8).numpy(), mode="RGB")


IMAGE_GENERATORS: dict[str, Callable[[LocalVLM, float | None], Any]] = {"janus": JanusImages}


class HFUnifiedModel(HFModel):
    """``--model hf_unified``: text for the answer, the model's own image generation for the image part."""

    NAME = "hf_unified"
    ACCEPTED = [*HFModel.ACCEPTED, "guidance"]

    def __init__(self, guidance: float | None = None, **args: Any) -> None:
        super().__init__(**args)
        vlm = self.loaded()
        family = vlm.model.config.model_type
        if family not in IMAGE_GENERATORS:
            self.close()
            raise MedgenError(
                f"model 'hf_unified': {vlm.checkpoint.source} is a {family!r} checkpoint and hf_unified generates "
                f"images only with {', '.join(sorted(IMAGE_GENERATORS))} checkpoints (e.g. Janus-Pro); "
                "for text answers use --model hf"
            )
        self.guidance = number(self.NAME, "guidance", guidance)
        self.images = IMAGE_GENERATORS[family](vlm, self.guidance)

    def predict(self, requests: list[ModelRequest]) -> list[ModelOutput | BaseException]:
        vlm = self.loaded()
        wants_text = [r for r in requests if r.output_type != "image"]
        wants_image = [r for r in requests if r.output_type != "text"]
        texts = iter(predict_text(vlm, wants_text, self.max_new_tokens, self.seed, self.runner, self.batch_size))
        images = iter(self._images(wants_image))
        outputs = [self._combine(r, texts, images) for r in requests]
        self.fit_batch_size()
        return outputs

    def _images(self, requests: list[ModelRequest]) -> list[Any]:
        def prepare(request: ModelRequest) -> tuple[str, Hashable]:
            return request.prompt, "image"

        def run(prompts: list[str]) -> list[Any]:
            return self.images.generate(prompts, self.seed)

        return predict_prepared(requests, prepare, run, self.runner, self.batch_size)

    @staticmethod
    def _combine(request: ModelRequest, texts: Any, images: Any) -> ModelOutput | BaseException:
        """One output per request; a failed text or image part fails the request, naming the part."""
        text = next(texts) if request.output_type != "image" else None
        image = next(images) if request.output_type != "text" else None
        for part, value in (("text", text), ("image", image)):
            if isinstance(value, BaseException):
                return MedgenError(f"{part} generation failed: {type(value).__name__}: {value}")
        if image is None:
            return text
        return ModelOutput(text=text.text if text is not None else None, image=image, usage=text.usage if text else {})

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "guidance": self.guidance, "image_generator": type(self.images).__name__}
