"""Token usage, cost and latency of one call, and the run-wide spending limit.

Cost comes from litellm's price table (``completion_cost``), which raises for
models it does not know (a local vLLM server, a new model): then the cost is
unknown (None), never a made-up 0.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

from medgen_core import MedgenError
from medgen_litellm.backend import litellm


@dataclass
class Usage:
    """What one item cost. ``cached`` items made no call: no tokens, no cost this time."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    cached: bool = False
    latency_s: float = 0.0
    attempts: int = 0
    waited_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["latency_s"] = round(self.latency_s, 6)
        out["waited_s"] = round(self.waited_s, 6)
        return out


def tokens_of(response: Any) -> tuple[int, int]:
    usage = getattr(response, "usage", None)
    if usage is None and isinstance(response, dict):
        usage = response.get("usage")
    if usage is None:
        return 0, 0
    get = usage.get if isinstance(usage, dict) else lambda k: getattr(usage, k, None)
    return int(get("prompt_tokens") or get("input_tokens") or 0), int(
        get("completion_tokens") or get("output_tokens") or 0
    )


def cost_of(response: Any, prices: dict[str, float] | None = None, model: str | None = None) -> float | None:
    """The USD cost of ``response``, or None when litellm has no price for the model.

    litellm prices most responses as it returns them (``_hidden_params["response_cost"]``); the rest
    (custom ``prices``, image responses that do not name their model) are priced here.
    """
    hidden = getattr(response, "_hidden_params", None) or {}
    known = hidden.get("response_cost") if isinstance(hidden, dict) else None
    if not prices and isinstance(known, (int, float)) and not isinstance(known, bool):
        return float(known)
    try:
        cost = litellm().completion_cost(
            completion_response=response, model=model, custom_cost_per_token=prices or None
        )
    except Exception:  # unknown model or provider: the cost is unknown, not zero
        return None
    return float(cost) if cost is not None else None


def has_price(model: str, prices: dict[str, float] | None = None) -> bool:
    """Whether litellm (or ``prices``) can price calls to ``model``: needed to enforce a budget."""
    if prices:
        return True
    try:
        info = litellm().get_model_info(model)
    except Exception:
        return False
    priced = ("input_cost_per_token", "output_cost_per_token", "output_cost_per_image", "input_cost_per_image")
    return any(info.get(name) for name in priced)  # image models may be priced per image only (Imagen)


class Budget:
    """A spending limit shared by every call of a client; thread- and task-safe.

    Calls start only while the spent total is under the limit; calls already in
    flight finish, so the total may pass the limit by at most the cost of
    ``concurrency`` calls.
    """

    def __init__(self, limit_usd: float | None) -> None:
        if limit_usd is not None and limit_usd < 0:
            raise MedgenError(f"budget_usd must be zero or more, got {limit_usd}")
        self.limit_usd = limit_usd
        self.spent_usd = 0.0
        self._lock = threading.Lock()

    def exhausted(self) -> bool:
        with self._lock:
            return self.limit_usd is not None and self.spent_usd >= self.limit_usd

    def charge(self, cost_usd: float | None) -> None:
        if cost_usd:
            with self._lock:
                self.spent_usd += cost_usd
