"""``api_image``: an image model through litellm; it edits the request's input images, or generates from text.

``--model api_image --model_args model=<litellm model>[,size=1024x1024,quality=...,seed=N,api_base=URL,
api_key_env=VAR,concurrency=N,timeout=S,max_retries=N,budget_usd=X,batch_size=N]``. A request that carries
input images goes to the edit endpoint (``litellm.image_edit``: the images uploaded, the prompt as the
instruction); one without goes to ``litellm.image_generation``. Inside ``compose`` that makes editing tasks
edits and generation tasks generations. ``size``, ``quality`` and ``seed`` are sent only when given (a
task's ``generation_kwargs`` may give them too; the model's arguments win), since providers differ in
which they take.
"""

from __future__ import annotations

from typing import Any

from medgen_litellm import CallResult, ImageCall, model_abilities

from medgen_api.calls import ask_each, usage_of
from medgen_api.connection import Connection, refuse_unknown
from medgen_core import MedgenError, ModelOutput, ModelRequest

IMAGE_PARAMS = ("size", "quality", "seed")


class ApiImageModel:
    """Image generation and editing (gpt-image-1, Imagen, Gemini image models, any OpenAI-compatible server)."""

    name = "api_image"

    def __init__(self, **args: Any) -> None:
        self.where = f"--model {self.name} --model_args"
        args = dict(args)
        self.connection = Connection.take(args, self.where)
        self.batch_size = int(args.pop("batch_size", 64))
        self.overrides = {name: args.pop(name) for name in IMAGE_PARAMS if args.get(name) is not None}
        refuse_unknown(args, self.where, ["batch_size", *IMAGE_PARAMS])
        self.abilities = model_abilities(self.connection.model)
        if self.abilities.image_generation is False and self.abilities.image_edit is False:
            raise MedgenError(
                f"{self.where}: litellm lists model {self.connection.model!r} as a {self.abilities.mode} model "
                "with no image generation or editing endpoint; use an image model (e.g. gpt-image-1), or "
                "--model api for chat models"
            )
        self.client = self.connection.client({}, self.where)

    def predict(self, requests: list[ModelRequest]) -> list[ModelOutput | BaseException]:
        """One output or exception per request, in order; refused requests make no call."""
        return ask_each(requests, self.refusal, self.call, self.client.images, self.output)

    def call(self, request: ModelRequest) -> ImageCall:
        """An edit of the request's input images, or a generation when it has none."""
        return ImageCall(request.prompt, images=list(request.images), params=self.params(request))

    def refusal(self, request: ModelRequest) -> str | None:
        if not request.prompt.strip():
            return f"task {request.sample.task!r}: the prompt for the image model is empty"
        edit = bool(request.images)
        able = self.abilities.image_edit if edit else self.abilities.image_generation
        if able is False:
            what = "edits its input image" if edit else "generates an image from text"
            endpoint = "/v1/images/edits" if edit else "/v1/images/generations"
            return (
                f"task {request.sample.task!r} {what}, but litellm lists model {self.connection.model!r} "
                f"without {endpoint}"
            )
        return None

    def params(self, request: ModelRequest) -> dict[str, Any]:
        from_task = {k: v for k, v in request.generation_kwargs.items() if k in IMAGE_PARAMS and v is not None}
        return {**from_task, **self.overrides}

    def output(self, request: ModelRequest, result: CallResult) -> ModelOutput:
        notes = [f"revised prompt: {result.text}"] if result.text else []
        if len(result.value) > 1:
            notes.append(f"{len(result.value)} images returned; the first is kept")
        return ModelOutput(image=result.value[0], raw="; ".join(notes) or None, usage=usage_of(result))

    def describe(self) -> dict[str, Any]:
        return {**self.connection.describe(), **self.overrides}

    def close(self) -> None:
        self.client.close()
