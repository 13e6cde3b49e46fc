"""Prompt templates (``doc_to_text``): Jinja2 with strict undefined variables.

Variables: ``instruction``, ``choices`` (list), ``options`` (the choices as
``A. ...`` lines, the MC option list the model must see), ``modality``,
``subtask``, ``task`` and ``record`` (every field of the raw record).
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Any

from medgen_core.types import MedgenError, Sample

LETTERS = string.ascii_uppercase
_LETTER_PREFIX = re.compile(r"^\s*\(?[A-Za-z]\s*[.):]\s+")


@lru_cache(maxsize=256)
def compile_template(source: str) -> Any:
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False, autoescape=False)
    try:
        return env.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise MedgenError(f"template syntax error on line {exc.lineno}: {exc.message}") from None


def format_options(choices: list[str] | None) -> str:
    """``A. first`` lines; an option that already starts with its letter keeps it once."""
    if not choices:
        return ""
    return "\n".join(f"{LETTERS[i]}. {_LETTER_PREFIX.sub('', str(c))}" for i, c in enumerate(choices))


def render_prompt(source: str, sample: Sample) -> str:
    import jinja2

    template = compile_template(source)
    try:
        return template.render(
            instruction=sample.instruction,
            choices=sample.choices or [],
            options=format_options(sample.choices),
            modality=sample.modality,
            subtask=sample.subtask or "",
            task=sample.task,
            record=sample.record,
        ).strip()
    except jinja2.UndefinedError as exc:
        raise MedgenError(f"{sample.source}: prompt template: {exc.message}") from None
