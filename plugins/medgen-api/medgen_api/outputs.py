"""What one call cost, in the form the run totals (``ModelOutput.usage``; results.json ``usage``)."""

from __future__ import annotations

from typing import Any

from medgen_litellm import CallResult


def usage_of(result: CallResult) -> dict[str, Any]:
    """Tokens, cost (None when litellm has no price: unknown, never 0), latency, attempts and waits of a call."""
    usage = result.usage.as_dict()
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return usage
