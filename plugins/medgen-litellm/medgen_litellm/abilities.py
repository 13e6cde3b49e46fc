"""What litellm's model table says a model string can do, so a plugin can refuse a mismatch before any call.

litellm knows most hosted models (``gpt-4o``, ``gemini/...``, ``gpt-image-1``):
their mode, endpoints and vision support. It knows nothing about a model
served by the user (``hosted_vllm/...``, ``openai/<name>`` on another server):
then every ability is ``None`` (unknown) and callers trust the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medgen_litellm.backend import litellm

CHAT = "/v1/chat/completions"
GENERATIONS = "/v1/images/generations"
EDITS = "/v1/images/edits"


@dataclass(frozen=True)
class Abilities:
    """One model string's abilities by litellm's table; every field is None when litellm does not know it."""

    model: str
    mode: str | None = None  # "chat", "image_generation", ...
    endpoints: frozenset[str] | None = None
    supports_vision: bool | None = None

    @property
    def known(self) -> bool:
        return self.mode is not None

    @property
    def chat(self) -> bool | None:
        """Answers chat completions."""
        if self.endpoints:
            return CHAT in self.endpoints
        return None if not self.known else self.mode in ("chat", "responses")

    @property
    def vision(self) -> bool | None:
        """Reads images in a chat."""
        return None if not self.known else bool(self.supports_vision)

    @property
    def image_generation(self) -> bool | None:
        if self.endpoints:
            return GENERATIONS in self.endpoints
        return None if not self.known else self.mode == "image_generation"

    @property
    def image_edit(self) -> bool | None:
        if self.endpoints:
            return EDITS in self.endpoints
        return None if not self.known or self.mode == "image_generation" else False

    @property
    def chat_image_output(self) -> bool | None:
        """Returns images inside a chat reply (a unified model such as ``gemini/gemini-2.5-flash-image``)."""
        if not self.known:
            return None
        return self.mode == "image_generation" and bool(self.chat)


def model_abilities(model: str) -> Abilities:
    """What litellm's (offline) table says about ``model``; all unknown when it has no entry."""
    try:
        info: dict[str, Any] = litellm().get_model_info(model)
    except Exception:  # litellm raises for models it has no entry for
        return Abilities(model)
    endpoints = info.get("supported_endpoints")
    return Abilities(
        model,
        mode=info.get("mode") or "chat",
        endpoints=frozenset(endpoints) if endpoints else None,
        supports_vision=info.get("supports_vision"),
    )
