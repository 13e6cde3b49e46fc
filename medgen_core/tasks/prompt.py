"""Templates: ``doc_to_text`` (the prompt) and any ``doc_to_*`` key written as Jinja2, with strict
undefined variables so a misspelt name is an error, never an empty string.

Variables: every field of the record by its name (as in lm-evaluation-harness),
``record`` (the same fields, for names that are not identifiers, e.g.
``record['sub-category']``), and, for the prompt, ``instruction`` (the
record's instruction field), ``choices`` (list), ``options`` (the choices as
``A. ...`` lines, the MC option list the model must see), ``modality``,
``subtask`` and ``task``; these named variables win over record fields of the
same name.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Any

from medgen_core.types import MedgenError, Sample

LETTERS = string.ascii_uppercase
_LETTER_PREFIX = re.compile(r"^\s*\(?[A-Za-z]\s*[.):]\s+")


def is_template(text: str) -> bool:
    """A ``doc_to_*`` value is a template when it has Jinja markup, else it names a column."""
    return "{{" in text or "{%" in text


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


def render_template(source: str, variables: dict[str, Any]) -> str:
    """Render with ``variables``; any failure becomes a :class:`MedgenError` saying what went wrong."""
    import jinja2

    template = compile_template(source)
    try:
        return template.render(**variables).strip()
    except jinja2.UndefinedError as exc:
        raise MedgenError(f"template: {exc.message}") from None
    except Exception as exc:  # a filter or operation failing on this record's values
        raise MedgenError(f"template: {type(exc).__name__}: {exc}") from None


def prompt_variables(sample: Sample) -> dict[str, Any]:
    """The prompt's variables (see the module doc). ``instruction`` is the record's own field when it
    has one, so rendering a dataset task's prompt again over its sample gives the same text."""
    record = sample.record
    own = record.get("instruction")
    return {
        **record,
        "record": record,
        "instruction": own if isinstance(own, str) else sample.instruction,
        "choices": sample.choices or [],
        "options": format_options(sample.choices),
        "modality": sample.modality,
        "subtask": sample.subtask or "",
        "task": sample.task,
    }


def render_prompt(source: str, sample: Sample) -> str:
    try:
        return render_template(source, prompt_variables(sample))
    except MedgenError as exc:
        raise MedgenError(f"{sample.source}: prompt {exc}") from None
