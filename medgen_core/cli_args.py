"""Reading command-line values: ``k=v,...`` lists, ``--limit``, and per-position ``--judge_args``.

Kept apart from the commands so every command parses the same way and the
rules are written down once (docs/running.md repeats them).
"""

from __future__ import annotations

from typing import Any

import click


def parse_kv(text: str | None, option: str) -> dict[str, Any]:
    """``k=v,k2=v2`` into a dict.

    A value may hold a comma when quoted (``prompt="a, b"``) or escaped
    (``prompt=a\\, b``). Values become int, float, bool or None where they read
    as such; a key given twice is an error.
    """
    out: dict[str, Any] = {}
    for part in _split(text or "", option):
        if not part.strip():
            continue
        if "=" not in part:
            raise click.BadParameter(f"expected key=value, got {part!r}", param_hint=option)
        key, value = part.split("=", 1)
        key = key.strip()
        if not key:
            raise click.BadParameter(f"empty key in {part!r}", param_hint=option)
        if key in out:
            raise click.BadParameter(f"key {key!r} given twice", param_hint=option)
        value = value.strip()
        quoted = len(value) >= 2 and value[0] == value[-1] == '"'
        out[key] = value[1:-1] if quoted else _scalar(value)
    return out


def _split(text: str, option: str) -> list[str]:
    """Split on commas outside double quotes; ``\\,`` is a literal comma."""
    parts, current, quoted, i = [], [], False, 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in ',"\\':
            current.append(text[i + 1])
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    if quoted:
        raise click.BadParameter(f"unbalanced double quote in {text!r}", param_hint=option)
    parts.append("".join(current))
    return parts


def _scalar(value: str) -> Any:
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


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
