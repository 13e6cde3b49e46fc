"""``api`` (a chat VLM: text out) and ``api_unified`` (one chat call returns text and images together).

``--model api --model_args model=<litellm model>[,api_base=URL,api_key_env=VAR,concurrency=N,timeout=S,
max_retries=N,max_side=PX,temperature=T,max_tokens=N,system=TEXT,vision=true|false,budget_usd=X,
input_cost_per_token=X,output_cost_per_token=X,batch_size=N]``; ``api_unified`` takes the same plus
``modalities=true|false``. Each request becomes one chat call: the input images as data URIs, then the
prompt, with the task's ``generation_kwargs`` as litellm parameters (the model's ``temperature`` and
``max_tokens`` over them). A batch's calls run ``concurrency`` at a time; a call that fails for good
fails that sample only, with the provider's message scrubbed of secrets.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from medgen_litellm import CallResult, ChatCall, model_abilities

from medgen_api.calls import ask_each, usage_of
from medgen_api.connection import Connection, refuse_unknown
from medgen_api.generation import chat_params
from medgen_api.messages import chat_messages
from medgen_core import MedgenError, ModelOutput, ModelRequest


class ApiModel:
    """A chat model reached through litellm: hosted (GPT-4o, Gemini, Claude) or any OpenAI-compatible server."""

    name = "api"
    own_args = ["batch_size", "max_side", "temperature", "max_tokens", "system", "vision"]

    def __init__(self, **args: Any) -> None:
        self.where = f"--model {self.name} --model_args"
        args = dict(args)
        self.connection = Connection.take(args, self.where)
        self.batch_size = int(args.pop("batch_size", 64))
        self.max_side = int(args.pop("max_side", 1024))
        if self.max_side < 64:
            raise MedgenError(f"{self.where}: max_side={self.max_side} is too small (at least 64 pixels)")
        self.system: str | None = args.pop("system", None)
        self.overrides = {"temperature": args.pop("temperature", None), "max_tokens": args.pop("max_tokens", None)}
        vision = args.pop("vision", None)
        self.take_own(args)
        refuse_unknown(args, self.where, self.own_args)
        self.abilities = model_abilities(self.connection.model)
        if self.abilities.chat is False:
            raise MedgenError(
                f"{self.where}: litellm lists model {self.connection.model!r} as a {self.abilities.mode} model "
                "without chat completions; for image generation and editing use --model api_image"
            )
        self.vision: bool | None = self.abilities.vision if vision is None else bool(vision)
        self.client = self.connection.client({"drop_params": True}, self.where)

    def take_own(self, args: dict[str, Any]) -> None:
        """Arguments a subclass adds (taken out of ``args``)."""

    def predict(self, requests: list[ModelRequest]) -> list[ModelOutput | BaseException]:
        """One output or exception per request, in order; refused requests make no call."""
        return ask_each(requests, self.refusal, self.call, self.client.chat, self.output)

    def call(self, request: ModelRequest) -> ChatCall:
        """The chat call for a request; its images are encoded on the client's worker thread."""
        return ChatCall(partial(chat_messages, request, self.max_side, self.system), params=self.params(request))

    def refusal(self, request: ModelRequest) -> str | None:
        """Why this model cannot answer the request (before any call), or None."""
        if request.images and self.vision is False:
            return (
                f"task {request.sample.task!r} sends {len(request.images)} image(s), but litellm lists model "
                f"{self.connection.model!r} without vision: it lacks image_in. Use a vision model (or pass "
                "vision=true if litellm's table is wrong about it)"
            )
        return None

    def params(self, request: ModelRequest) -> dict[str, Any]:
        return chat_params(request.generation_kwargs, self.overrides)

    def output(self, request: ModelRequest, result: CallResult) -> ModelOutput | BaseException:
        if not result.text.strip():
            return MedgenError(f"model {self.connection.model!r} returned an empty reply")
        return ModelOutput(text=result.text, usage=usage_of(result))

    def describe(self) -> dict[str, Any]:
        return {**self.connection.describe(), "max_side": self.max_side, "vision": self.vision}

    def close(self) -> None:
        self.client.close()


class UnifiedModel(ApiModel):
    """One chat call returns the text and the image (Gemini image models, OpenRouter): both are kept.

    The image comes back in the reply's ``message.images`` as a data URI; with ``modalities=true`` (the
    default) a request that wants an image asks for ``modalities=["image", "text"]``, which Gemini and
    OpenRouter need to return one.
    """

    name = "api_unified"
    own_args = [*ApiModel.own_args, "modalities"]

    def take_own(self, args: dict[str, Any]) -> None:
        self.modalities = bool(args.pop("modalities", True))

    def refusal(self, request: ModelRequest) -> str | None:
        if request.output_type != "text" and self.abilities.chat_image_output is False:
            return (
                f"task {request.sample.task!r} needs an image out, but litellm lists model "
                f"{self.connection.model!r} as a text-only chat model: it lacks image_out. Use a model that "
                "returns images (e.g. gemini/gemini-2.5-flash-image), or --model compose"
            )
        return super().refusal(request)

    def params(self, request: ModelRequest) -> dict[str, Any]:
        params = super().params(request)
        if self.modalities and request.output_type != "text":
            params["modalities"] = ["image", "text"]
        return params

    def output(self, request: ModelRequest, result: CallResult) -> ModelOutput | BaseException:
        """The parts the task wants; a missing part is left None (the run records it), both missing fail."""
        wants_text, wants_image = request.output_type != "image", request.output_type != "text"
        text = result.text if wants_text and result.text.strip() else None
        image = result.images[0] if wants_image and result.images else None
        if text is None and image is None:
            return MedgenError(
                f"model {self.connection.model!r} returned nothing the {request.output_type} task wants "
                f"(text: {len(result.text.strip())} characters, images: {len(result.images)})"
            )
        notes = [f"{len(result.images)} images returned; the first is kept"] if len(result.images) > 1 else []
        if not wants_text and result.text.strip():
            notes.append(f"text: {result.text}")
        return ModelOutput(text=text, image=image, raw="; ".join(notes) or None, usage=usage_of(result))
