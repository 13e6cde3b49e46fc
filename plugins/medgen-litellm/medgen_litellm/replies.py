"""Finding the JSON object a model was asked for inside its reply: in a markdown fence, or after prose.

Models wrap JSON in code fences, preface it with a sentence, or stop half-way;
callers name the keys their object must have, so an inner object (``{"score": 8}``
of a truncated reply) is not taken for the whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


def find_json_object(text: str, keys: Iterable[str]) -> dict[str, Any] | None:
    """The first JSON object holding any of ``keys``: in a code fence first, else anywhere in ``text``."""
    wanted = tuple(keys)
    decoder = json.JSONDecoder()
    for candidate in [m.group(1) for m in _FENCE.finditer(text)] + [text]:
        for start in (i for i, ch in enumerate(candidate) if ch == "{"):
            try:
                obj, _ = decoder.raw_decode(candidate, start)
            except ValueError:
                continue
            if isinstance(obj, dict) and any(k in obj for k in wanted):
                return obj
    return None
