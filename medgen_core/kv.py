"""``k=v,k2=v2`` argument lists, read one way everywhere: the command line, model specs inside arguments.

A value may hold a comma when quoted (``prompt="a, b"``) or escaped
(``prompt=a\\, b``). Values become int, float, bool or None where they read as
such (a quoted value stays a string); a key given twice is an error.
"""

from __future__ import annotations

from typing import Any

from medgen_core.errors import MedgenError


def parse_kv(text: str | None, option: str) -> dict[str, Any]:
    """``k=v,k2=v2`` into a dict (see the module doc); a malformed list is a :class:`MedgenError` naming ``option``."""
    out: dict[str, Any] = {}
    for part in _split(text or "", option):
        if not part.strip():
            continue
        if "=" not in part:
            raise MedgenError(f"{option}: expected key=value, got {part!r}")
        key, value = part.split("=", 1)
        key = key.strip()
        if not key:
            raise MedgenError(f"{option}: empty key in {part!r}")
        if key in out:
            raise MedgenError(f"{option}: key {key!r} given twice")
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
        raise MedgenError(f"{option}: unbalanced double quote in {text!r}")
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
