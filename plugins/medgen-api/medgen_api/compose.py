"""``compose``: the paper's compositional pipeline, a VLM and an image model, each any registered model.

``--model compose --model_args vlm=<spec>,image=<spec>[,image_mode=auto|edit|generate,batch_size=N]``
(a spec is ``NAME[:k=v,...]``, see :mod:`.spec`). For a text task the VLM
answers alone. For an image task the VLM reads the instruction and the input
images and returns JSON with its answer and a prompt for the image model
(:mod:`.plan`); the image model then edits the input image (editing tasks) or
generates one from the prompt (generation tasks; ``image_mode`` overrides).
Both halves' raw replies, usage and latency are recorded with each sample; a
sample fails when either half fails for it.
"""

from __future__ import annotations

import json
from typing import Any

from medgen_api.halves import Half
from medgen_api.plan import Plan, plan_prompt, read_plan
from medgen_core import MedgenError, ModelOutput, ModelRequest

WHERE = "--model compose --model_args"
IMAGE_MODES = ("auto", "edit", "generate")


class ComposeModel:
    """A VLM half that plans and an image half that draws; see the module docstring."""

    def __init__(
        self, vlm: Any = None, image: Any = None, image_mode: str = "auto", batch_size: int = 64, **unknown: Any
    ) -> None:
        if unknown:
            raise MedgenError(
                f"{WHERE}: unknown argument(s) {', '.join(sorted(unknown))}; known: vlm, image, image_mode, "
                'batch_size (a half\'s own arguments go inside its spec: vlm="api:model=...,max_side=768")'
            )
        if vlm is None or image is None:
            raise MedgenError(
                f'{WHERE}: both halves are required, e.g. vlm="api:model=openai/gpt-4o",'
                'image="api_image:model=gpt-image-1-mini"'
            )
        if image_mode not in IMAGE_MODES:
            raise MedgenError(f"{WHERE}: image_mode={image_mode!r}; use one of {', '.join(IMAGE_MODES)}")
        self.image_mode = image_mode
        self.batch_size = int(batch_size)
        self.vlm = Half("vlm", vlm, "text_out", WHERE)
        self.image = Half("image", image, "image_out", WHERE)

    @property
    def holds_accelerator(self) -> bool:
        return any(getattr(half.model, "holds_accelerator", False) for half in (self.vlm, self.image))

    def edits(self, request: ModelRequest) -> bool:
        """Whether the image half edits the input image (else it generates from the prompt alone)."""
        if self.image_mode != "auto":
            return self.image_mode == "edit" and bool(request.images)
        return bool(request.images) and (request.sample.format == "edit" or request.output_type == "image")

    def predict(self, requests: list[ModelRequest]) -> list[ModelOutput | BaseException]:
        asked = [r if r.output_type == "text" else self._vlm_request(r) for r in requests]
        planned = self.vlm.predict(asked)
        results: list[ModelOutput | BaseException | None] = [None] * len(requests)
        plans: dict[int, Plan] = {}
        drawing: list[ModelRequest] = []
        for i, (request, (reply, latency)) in enumerate(zip(requests, planned, strict=True)):
            if isinstance(reply, BaseException):
                results[i] = reply
            elif request.output_type == "text":
                results[i] = ModelOutput(text=reply.text, raw=reply.raw, usage=combined({"vlm": (reply, latency)}))
            else:
                plans[i] = read_plan(reply.text or "", request.prompt)
                drawing.append(self._image_request(request, plans[i]))
        for i, (drawn, latency) in zip(plans, self.image.predict(drawing), strict=True):
            results[i] = self._output(requests[i], plans[i], planned[i], (drawn, latency))
        return [r if r is not None else MedgenError("not predicted") for r in results]

    def _vlm_request(self, request: ModelRequest) -> ModelRequest:
        prompt = plan_prompt(request.prompt, self.edits(request))
        return ModelRequest(request.sample, prompt, "text", request.images, dict(request.generation_kwargs))

    def _image_request(self, request: ModelRequest, plan: Plan) -> ModelRequest:
        images = request.images if self.edits(request) else []
        return ModelRequest(request.sample, plan.image_prompt, "image", images, {})

    def _output(
        self, request: ModelRequest, plan: Plan, planned: tuple[Any, float], drawn: tuple[Any, float]
    ) -> ModelOutput | BaseException:
        image, _ = drawn
        if isinstance(image, BaseException):
            return image
        if image.image is None:
            return MedgenError(f"the image half ({self.image.name}) returned no image")
        reply = planned[0]
        raw = {
            "vlm_reply": reply.text,
            "image_prompt": plan.image_prompt,
            "fallback": plan.fallback,
            "edited_input": bool(self.edits(request)),
            "image_raw": None if image.raw is None else str(image.raw),
        }
        usage = combined({"vlm": planned, "image": drawn})
        if plan.fallback:
            usage["fallback"] = plan.fallback
        return ModelOutput(
            text=plan.answer if request.output_type != "image" else None,
            image=image.image,
            raw=json.dumps(raw, ensure_ascii=False),
            usage=usage,
        )

    def describe(self) -> dict[str, Any]:
        return {"vlm": self.vlm.describe(), "image": self.image.describe(), "image_mode": self.image_mode}

    def close(self) -> None:
        self.vlm.close()
        self.image.close()


def combined(halves: dict[str, tuple[ModelOutput, float]]) -> dict[str, Any]:
    """Both halves' usage under their names, and their totals at the top (what the run sums).

    A half that reports no cost (a local model) adds nothing; a half whose cost is unknown (an API model
    litellm has no price for) makes the total unknown (None), never a made-up figure.
    """
    usage: dict[str, Any] = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    costs = []
    for role, (output, latency) in halves.items():
        own = dict(output.usage or {})
        own.setdefault("latency_s", round(latency, 6))
        usage[role] = own
        for name in ("prompt_tokens", "completion_tokens", "total_tokens"):
            usage[name] += int(own.get(name) or 0)
        if "cost_usd" in own:
            costs.append(own["cost_usd"])
    if costs:
        usage["cost_usd"] = None if None in costs else sum(costs)
    return usage
