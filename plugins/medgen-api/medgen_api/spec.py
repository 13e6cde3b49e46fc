"""A model spec: a registered model and its arguments in one ``--model_args`` value, ``NAME[:k=v,k2=v2]``.

``compose`` takes two (``vlm=`` and ``image=``). A spec holding commas is
double-quoted as a whole, as any ``--model_args`` value with commas is, and a
value inside it that holds commas is quoted again with escaped quotes::

    --model_args vlm="api:model=openai/gpt-4o,max_side=768",image=classical
    --model_args vlm="api:model=openai/gpt-4o,system=\\"Be brief, be precise.\\"",image=...

The arguments inside follow the ``--model_args`` rules (the core's own
parser): numbers, booleans and ``none`` are converted, quoted values stay text.
"""

from __future__ import annotations

from typing import Any

from medgen_core import MedgenError, parse_kv


def parse_spec(text: Any, option: str) -> tuple[str, dict[str, Any]]:
    """``(model name, arguments)`` of ``NAME[:k=v,...]``; a malformed spec is an error naming ``option``."""
    if not isinstance(text, str) or not text.strip():
        raise MedgenError(f"{option}: expected a model spec NAME[:k=v,...], got {text!r}")
    name, _, args = text.strip().partition(":")
    name = name.strip()
    if not name or "=" in name or "," in name:
        raise MedgenError(
            f"{option}={text!r}: a model spec starts with a registered model's name, then its arguments after "
            f'a colon, e.g. {option}="api:model=openai/gpt-4o,max_side=768"'
        )
    return name, parse_kv(args, f"{option}={text!r}")
