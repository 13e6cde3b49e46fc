"""Checks for ``--model_args`` values, so a typo is an error naming the argument, not a silent default.

A ``TypeError`` from a factory is reported by the runner as "bad --model_args".
Part of this package's library API: medgen-diffusers uses it too.
"""

from __future__ import annotations

from typing import Any


def refuse_unknown(model: str, unknown: dict[str, Any], accepted: list[str]) -> None:
    if unknown:
        raise TypeError(f"{model} model: unknown argument(s) {sorted(unknown)}; accepted: {', '.join(accepted)}")


def positive_int(model: str, name: str, value: Any, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TypeError(f"{model} model: {name} must be a positive integer, not {value!r}")
    return value


def integer(model: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{model} model: {name} must be an integer, not {value!r}")
    return value


def number(model: str, name: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{model} model: {name} must be a number, not {value!r}")
    return float(value)


def flag(model: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{model} model: {name} must be true or false, not {value!r}")
    return value
