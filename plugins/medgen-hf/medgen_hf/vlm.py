"""The ``hf`` model: a transformers vision-language checkpoint answering in text.

Each request becomes one user turn of the checkpoint's own chat template
(its images first, then the prompt); a batch is tokenised with left padding
and generated in one ``generate`` call.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import torch

from medgen_core import MedgenError, ModelOutput, ModelRequest
from medgen_hf.accelerator import (
    device_summary,
    dtype_name,
    holds_accelerator,
    memory_safe_runner,
    release_memory,
    resolve_device,
    resolve_dtype,
    seed_everything,
)
from medgen_hf.args import flag, integer, positive_int, refuse_unknown
from medgen_hf.batching import BatchRunner, predict_prepared
from medgen_hf.checkpoint import Checkpoint, resolve_checkpoint, with_hub_revision
from medgen_hf.generation import Generation, generation_for
from medgen_hf.loading import load_failure, without_progress_bars

MARKER = "config.json"
TOO_BIG_HINT = (
    "Try dtype=bfloat16, device_map=auto (shards the model across this node's GPUs), a smaller batch_size or "
    "checkpoint, or serve it with vLLM (docs/local-models.md)"
)
Prompt = tuple[str, list[Any]]  # chat-formatted text and its PIL images


class LocalVLM:
    """A loaded image-text-to-text checkpoint: processor, weights, and where inputs go."""

    def __init__(
        self,
        name: str,
        pretrained: str | None,
        revision: str | None = None,
        dtype: str | None = None,
        device: str | None = None,
        device_map: str | None = None,
        attn_implementation: str | None = None,
        trust_remote_code: bool = False,
    ) -> None:
        from transformers import AutoModelForImageTextToText, AutoProcessor
        from transformers.utils import logging as transformers_logging

        self.name = name
        self.device_map = device_map
        device = device_map or resolve_device(device, name)
        checkpoint = resolve_checkpoint(pretrained, name, MARKER, revision)
        options: dict[str, Any] = {
            "dtype": resolve_dtype(dtype, name, default="auto"),
            "revision": revision,
            "trust_remote_code": trust_remote_code,
        }
        if attn_implementation:
            options["attn_implementation"] = attn_implementation
        if device_map:
            options["device_map"] = device_map
        try:
            with without_progress_bars(transformers_logging):
                self.processor = AutoProcessor.from_pretrained(
                    checkpoint.location, revision=revision, trust_remote_code=trust_remote_code
                )
                self.model = AutoModelForImageTextToText.from_pretrained(checkpoint.location, **options)
            if not device_map:
                self.model.to(device)
        except Exception as exc:  # every load failure ends in one line
            self.processor = self.model = None
            release_memory()
            raise load_failure(name, checkpoint, device, exc, TOO_BIG_HINT) from None
        self.model.eval()
        self.input_device = self.model.device  # the first shard's device under device_map
        self.checkpoint: Checkpoint = with_hub_revision(checkpoint, MARKER, revision)
        self.tokenizer = self._tokenizer()

    def _tokenizer(self) -> Any:
        tokenizer = getattr(self.processor, "tokenizer", None)
        if tokenizer is None or getattr(self.processor, "image_processor", None) is None:
            raise MedgenError(
                f"model {self.name!r}: {self.checkpoint.source} has no image processor, so it is not a "
                "vision-language checkpoint"
            )
        if not getattr(self.processor, "chat_template", None):
            raise MedgenError(
                f"model {self.name!r}: {self.checkpoint.source} has no chat template; use an instruction-tuned "
                "(chat) checkpoint"
            )
        tokenizer.padding_side = "left"  # generation continues every row from its last real token
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        return tokenizer

    # prompts ------------------------------------------------------------------------------
    def chat_prompt(self, prompt: str, images: list[Any]) -> str:
        content = [{"type": "image"} for _ in images] + [{"type": "text", "text": prompt}]
        messages = [{"role": "user", "content": content}]
        return self.processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    def prepare(self, request: ModelRequest) -> Prompt:
        """Open the request's images (8-bit, as RGB) and render its chat prompt."""
        images = [ref.open().convert("RGB") for ref in request.images]
        return self.chat_prompt(request.prompt, images), images

    # generation ---------------------------------------------------------------------------
    def inputs(self, prompts: list[Prompt], **processor_kwargs: Any) -> Any:
        texts = [text for text, _ in prompts]
        images = [imgs for _, imgs in prompts]
        batch = self.processor(
            text=texts, images=images if any(images) else None, padding=True, return_tensors="pt", **processor_kwargs
        )
        return batch.to(self.input_device).to(self.model.dtype)  # the second .to casts floating tensors only

    def generate_text(self, prompts: list[Prompt], generation: Generation, seed: int) -> list[ModelOutput]:
        batch = self.inputs(prompts)
        kwargs = generation.generate_kwargs()
        if generation.stop:
            kwargs.update(stop_strings=list(generation.stop), tokenizer=self.tokenizer)
        seed_everything(seed)
        with torch.inference_mode():
            output = self.model.generate(**batch, **kwargs, pad_token_id=self.tokenizer.pad_token_id)
        new = output[:, batch["input_ids"].shape[1] :]
        texts = self.processor.batch_decode(new, skip_special_tokens=True)
        prompt_tokens = batch["attention_mask"].sum(dim=1).tolist()
        completion_tokens = (new != self.tokenizer.pad_token_id).sum(dim=1).tolist()
        return [
            ModelOutput(text=generation.cut(text), usage={"prompt_tokens": p, "completion_tokens": c})
            for text, p, c in zip(texts, prompt_tokens, completion_tokens, strict=True)
        ]

    def batch_runner(self) -> BatchRunner:
        return memory_safe_runner(self.name, self.checkpoint.source, str(self.input_device), TOO_BIG_HINT)

    def describe(self) -> dict[str, Any]:
        import transformers

        return {
            "class": type(self.model).__name__,
            **self.checkpoint.identity(),
            "dtype": dtype_name(self.model.dtype),
            "device": device_summary(str(self.input_device)),
            "device_map": self.device_map,
            "attn_implementation": getattr(self.model.config, "_attn_implementation", None),
            "transformers": transformers.__version__,
        }

    def close(self) -> None:
        on_accelerator = self.model is not None and holds_accelerator(str(self.input_device))
        self.model = None
        self.processor = None
        if on_accelerator:  # on the CPU, dropping the references frees the weights; a full gc pass costs ~0.3 s
            release_memory()


def predict_text(
    vlm: LocalVLM,
    requests: list[ModelRequest],
    max_new_tokens: int | None,
    seed: int,
    runner: BatchRunner,
    batch_size: int,
) -> list[ModelOutput | BaseException]:
    """Text answers for ``requests``: grouped by generation settings, batched, failures kept per request."""

    def prepare(request: ModelRequest) -> tuple[tuple[Prompt, Generation], Hashable]:
        if request.output_type == "image":
            raise MedgenError(f"model {vlm.name!r} answers in text and this task wants an image")
        generation = generation_for(request.generation_kwargs, max_new_tokens, vlm.name)
        return (vlm.prepare(request), generation), (generation, bool(request.images))

    def run(items: list[tuple[Prompt, Generation]]) -> list[ModelOutput]:
        return vlm.generate_text([prompt for prompt, _ in items], items[0][1], seed)

    return predict_prepared(requests, prepare, run, runner, batch_size)


class HFModel:
    """``--model hf``: image(s) + prompt -> text, batched, greedy unless the task samples (then seeded)."""

    NAME = "hf"
    ACCEPTED = [
        "pretrained",
        "revision",
        "dtype",
        "device",
        "device_map",
        "attn_implementation",
        "max_new_tokens",
        "batch_size",
        "seed",
        "trust_remote_code",
    ]

    def __init__(
        self,
        pretrained: str | None = None,
        revision: str | None = None,
        dtype: str | None = None,
        device: str | None = None,
        device_map: str | None = None,
        attn_implementation: str | None = None,
        max_new_tokens: int | None = None,
        batch_size: int = 1,
        seed: int = 1234,
        trust_remote_code: bool = False,
        **unknown: Any,
    ) -> None:
        name = self.NAME
        refuse_unknown(name, unknown, self.ACCEPTED)
        self.batch_size = positive_int(name, "batch_size", batch_size)
        self.max_new_tokens = positive_int(name, "max_new_tokens", max_new_tokens, allow_none=True)
        self.seed = integer(name, "seed", seed)
        trust = flag(name, "trust_remote_code", trust_remote_code)
        self.vlm: LocalVLM | None = LocalVLM(
            name, pretrained, revision, dtype, device, device_map, attn_implementation, trust
        )
        self.holds_accelerator = holds_accelerator(str(self.vlm.input_device))
        self.runner = self.vlm.batch_runner()

    def predict(self, requests: list[ModelRequest]) -> list[ModelOutput | BaseException]:
        outputs = predict_text(self.loaded(), requests, self.max_new_tokens, self.seed, self.runner, self.batch_size)
        self.fit_batch_size()
        return outputs

    def fit_batch_size(self) -> None:
        """After an out-of-memory split, keep to the batch size that fitted."""
        if self.runner.fitted is not None:
            self.batch_size = min(self.batch_size, self.runner.fitted)

    def loaded(self) -> LocalVLM:
        if self.vlm is None:
            raise MedgenError(f"model {self.NAME!r} was closed; create a new one to predict again")
        return self.vlm

    def describe(self) -> dict[str, Any]:
        return {**self.loaded().describe(), "batch_size": self.batch_size, "seed": self.seed}

    def close(self) -> None:
        """Release the weights and the accelerator memory they held."""
        if self.vlm is not None:
            self.vlm.close()
            self.vlm = None
