"""Reading command-line values: ``k=v,...`` lists, ``--limit``, and per-position ``--judge_args``.

Kept apart from the commands so every command parses the same way and the
rules are written down once (docs/running.md repeats them).
"""

from __future__ import annotations

from typing import Any

import click

from medgen_core.errors import MedgenError


def parse_kv(text: str | None, option: str) -> dict[str, Any]:
    """:func:`medgen_core.kv.parse_kv` for a command-line option: a mistake is click's usage error."""
    from medgen_core.kv import parse_kv as parse

    try:
        return parse(text, option)
    except MedgenError as exc:
        raise click.BadParameter(str(exc).removeprefix(f"{option}: "), param_hint=option) from None


def one_kv(values: tuple[str, ...], option: str) -> dict[str, Any]:
    """A ``k=v,...`` option that may appear once; giving it twice is an error, not a silent overwrite."""
    if len(values) > 1:
        raise click.BadParameter(
            f"given {len(values)} times; put every argument in one {option} k=v,k2=v2", param_hint=option
        )
    return parse_kv(values[0] if values else "", option)


def parse_limit(value: float | None) -> int | float | None:
    """``--limit``: N samples per task, or a fraction 0 < x < 1 of each task's samples (as lm-eval)."""
    if value is None:
        return None
    if 0 < value < 1:
        return value
    if value >= 1 and float(value).is_integer():
        return int(value)
    raise click.BadParameter(
        f"expected a whole number >= 1 or a fraction between 0 and 1, got {value}", param_hint="--limit"
    )


def parse_metric_args(values: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    """``METRIC:k=v,...`` entries, in order."""
    out = []
    for option in values:
        metric, _, args = option.partition(":")
        if not metric.strip() or not args.strip():
            raise click.BadParameter(f"expected METRIC:k=v,..., got {option!r}", param_hint="--metric_args")
        out.append((metric.strip(), parse_kv(args, "--metric_args")))
    return out


def pair_judge_args(names: tuple[str, ...], args: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    """Each ``--judge`` with the ``--judge_args`` at the same position (the n-th goes to the n-th)."""
    if len(args) > len(names):
        raise click.BadParameter(
            f"{len(args)} --judge_args for {len(names)} --judge: give one --judge_args per --judge, in order",
            param_hint="--judge_args",
        )
    return [(name, parse_kv(args[i] if i < len(args) else "", "--judge_args")) for i, name in enumerate(names)]
