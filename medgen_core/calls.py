"""The two ways the run talks to plugin code: build an object from its factory, and call it on a batch.

Models, metrics and judges are all built from ``factory(**args)`` and all
answer a batch with one result or exception per item. A plugin's bug or a bad
argument must become a clear message or a per-item failure, never a dead run,
so both steps live here once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from medgen_core.types import MedgenError, MetricUnavailable

Item = TypeVar("Item")


def build(kind: str, name: str, factory: Callable[..., Any], args: dict[str, Any], option: str) -> Any:
    """``factory(**args)``; a wrong argument or a crash in the constructor becomes one clear line.

    :class:`MedgenError` (including :class:`MetricUnavailable`) passes through: it already speaks to the user.
    """
    try:
        return factory(**args)
    except MedgenError:
        raise
    except TypeError as exc:
        raise MedgenError(f"{kind} {name!r}: bad {option} {_show(args)}: {exc}") from None
    except Exception as exc:  # the plugin's own constructor failed
        raise MedgenError(
            f"{kind} {name!r} with {option} {_show(args)} failed to start: {type(exc).__name__}: {exc}"
        ) from None


def _show(args: dict[str, Any]) -> str:
    from medgen_core.secrets import redact

    clean = redact(args)
    return ",".join(f"{k}={v}" for k, v in clean.items()) or "(none)"


def call_batch(call: Callable[[list[Item]], Any], items: list[Item], what: str) -> list[Any]:
    """One result or exception per item, in order.

    A batch that raises, or answers with the wrong number of results, is
    retried one item at a time, so a bad item fails alone.
    :class:`MetricUnavailable` is not a per-item failure: it propagates.
    """
    try:
        results = list(call(items))
        if len(results) == len(items):
            return results
        error: BaseException = MedgenError(f"{what} returned {len(results)} results for {len(items)} items")
    except MetricUnavailable:
        raise
    except Exception as exc:  # the plugin's own bug or a transport error
        error = exc
    if len(items) == 1:
        return [error]
    return [call_batch(call, [item], what)[0] for item in items]
