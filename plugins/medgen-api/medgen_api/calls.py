"""A batch of requests as calls: refused requests make no call, results come back in order, with usage.

``api``, ``api_unified`` and ``api_image`` differ in the call they build and
what they make of its result; the order, the refusals and the usage record
(``ModelOutput.usage``, which results.json totals) are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from medgen_litellm import CallResult

from medgen_core import MedgenError, ModelOutput, ModelRequest

Outcome = ModelOutput | BaseException


def ask_each(
    requests: list[ModelRequest],
    refusal: Callable[[ModelRequest], str | None],
    call_of: Callable[[ModelRequest], Any],
    send: Callable[[Sequence[Any]], list[CallResult | BaseException]],
    output: Callable[[ModelRequest, CallResult], Outcome],
) -> list[Outcome]:
    """One output or exception per request, in order: ``refusal`` says why a request is not sent (or None),
    ``call_of`` builds its call, ``send`` makes the calls concurrently, ``output`` reads each result."""
    results: list[Outcome | None] = [None] * len(requests)
    calls: list[Any] = []
    slots: list[int] = []
    for i, request in enumerate(requests):
        problem = refusal(request)
        if problem is not None:
            results[i] = MedgenError(problem)
            continue
        calls.append(call_of(request))
        slots.append(i)
    for i, outcome in zip(slots, send(calls), strict=True):
        results[i] = outcome if isinstance(outcome, BaseException) else output(requests[i], outcome)
    return [r if r is not None else MedgenError("not predicted") for r in results]


def usage_of(result: CallResult) -> dict[str, Any]:
    """Tokens, cost (None when litellm has no price: unknown, never 0), latency, attempts and waits of a call."""
    usage = result.usage.as_dict()
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return usage
