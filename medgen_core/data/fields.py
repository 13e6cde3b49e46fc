"""The ``doc_to_*`` keys: which column, or which Jinja template over the record, gives each sample field.

A key's value is a column name, or a template when it has Jinja markup
(``{{ ... }}``). ``doc_to_image`` may list several columns; ``doc_to_choice``
may be a fixed list of options. Unset keys read the MedGEN-Bench field names
(:data:`DEFAULT_COLUMNS`), so the official tasks set none. Every message
names the record (file and index), the key, the task and its YAML, and the
column.
"""

from __future__ import annotations

import ast
from typing import Any

from medgen_core.data.errors import RecordError
from medgen_core.data.image_refs import ImageResolver, image_list
from medgen_core.tasks.index import TaskInstance
from medgen_core.tasks.prompt import LETTERS, is_template, render_template
from medgen_core.tasks.spec import FIELD_KEYS
from medgen_core.types import ImageRef, MedgenError

DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "doc_to_id": ("id", "sample_id"),
    "doc_to_target": ("answer",),
    "doc_to_choice": ("choice", "choices"),
    "doc_to_image": ("input_image",),
    "doc_to_reference_image": ("ground_truth_image",),
    "doc_to_mask": ("mask_image",),
    "doc_to_modality": ("modality",),
    "doc_to_subtask": ("paper_subtask", "observed_subtask"),
}


class FieldMap:
    """Reads each field of a sample from a raw record, as the task's ``doc_to_*`` keys say."""

    def __init__(self, instance: TaskInstance) -> None:
        self.spec = instance.spec
        self.task = f"task {instance.name!r} ({instance.path})"

    def named_columns(self) -> list[tuple[str, str]]:
        """(key, column) for every key that names columns, to check them against the dataset up front."""
        found = []
        for key in FIELD_KEYS:
            value = getattr(self.spec, key)
            if key == "doc_to_choice" and isinstance(value, list):
                continue
            for column in value if isinstance(value, list) else [value]:
                if isinstance(column, str) and not is_template(column):
                    found.append((key, column))
        return found

    def where(self, key: str, source: str, column: str | None) -> str:
        """The start of every message about ``key`` on one record."""
        if getattr(self.spec, key) is None:
            return f"{source}: field {column!r}"
        what = "template" if column is None else f"column {column!r}"
        return f"{source}: key {key!r} of {self.task}, {what}"

    def read(self, key: str, record: dict[str, Any], shown: dict[str, Any], source: str) -> list[tuple[Any, str, str]]:
        """(value, where, column) for each column the key reads; templates render over ``shown``."""
        value = getattr(self.spec, key)
        if value is None:
            for column in DEFAULT_COLUMNS[key]:
                if record.get(column) not in (None, ""):
                    return [(record[column], self.where(key, source, column), column)]
            return [(None, self.where(key, source, DEFAULT_COLUMNS[key][0]), DEFAULT_COLUMNS[key][0])]
        out = []
        for column in value if isinstance(value, list) else [value]:
            if is_template(column):
                where = self.where(key, source, None)
                try:
                    out.append((render_template(column, {**shown, "record": shown}), where, key))
                except MedgenError as exc:
                    raise RecordError(f"{where}: {exc} (columns: {', '.join(record)})") from None
            elif column not in record:
                raise RecordError(f"{self.where(key, source, column)}: no such column (columns: {', '.join(record)})")
            else:
                out.append((record[column], self.where(key, source, column), column))
        return out

    def text(self, key: str, record: dict[str, Any], shown: dict[str, Any], source: str) -> str | None:
        """A single text field (id, modality, subtask); numbers become text, empty becomes None."""
        [(value, where, _)] = self.read(key, record, shown, source)
        if value is None or value == "":
            return None
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        raise RecordError(f"{where}: expected text, got {type(value).__name__}")

    def choices(self, record: dict[str, Any], shown: dict[str, Any], source: str) -> list[str] | None:
        """The MC options: a list column, a template rendering a list literal, or the YAML's fixed list."""
        if isinstance(self.spec.doc_to_choice, list):
            return [str(c) for c in self.spec.doc_to_choice]
        [(value, where, _)] = self.read("doc_to_choice", record, shown, source)
        if isinstance(value, str) and self.spec.doc_to_choice is not None and is_template(self.spec.doc_to_choice):
            value = _list_literal(value, where)
        if value is None:
            return None
        allowed = (str,) if self.spec.reads_layout else (str, int, float)  # numbered options in any dataset
        if not isinstance(value, list) or not all(isinstance(c, allowed) for c in value):
            raise RecordError(f"{where}: expected a list of option strings")
        return [str(c) for c in value]

    def target(
        self, record: dict[str, Any], shown: dict[str, Any], source: str, choices: list[str] | None
    ) -> tuple[Any, str]:
        """The reference answer as stored, and its ``where``; an integer with choices is an option index
        (lm-eval style) and becomes its letter."""
        [(value, where, _)] = self.read("doc_to_target", record, shown, source)
        if isinstance(value, int) and not isinstance(value, bool) and choices:
            if not 0 <= value < len(choices):
                raise RecordError(f"{where}: option index {value} is out of range for {len(choices)} choices")
            return LETTERS[value], where
        if isinstance(value, (int, float, bool)):
            return str(value), where
        return value, where

    def images(
        self, key: str, record: dict[str, Any], shown: dict[str, Any], source: str, resolve: ImageResolver
    ) -> tuple[list[ImageRef], str]:
        """Every image the key names, in order, and the ``where`` of its first column (for messages)."""
        refs: list[ImageRef] = []
        parts = self.read(key, record, shown, source)
        for value, where, column in parts:
            if value == "":  # a template that chose no image
                continue
            if isinstance(value, str) and self.spec.reads_layout and getattr(self.spec, key) is None:
                raise RecordError(
                    f"{where}: expected a list of image paths, got a bare string {value!r} (the official layout "
                    f'lists images even when there is one: ["{value}"])'
                )
            for i, item in enumerate(image_list(value, where)):
                refs.append(resolve(item, f"{where}[{i}]", f"{source}:{column}[{i}]"))
        return refs, parts[0][1]


def _list_literal(text: str, where: str) -> list[Any]:
    """A template's output read as a list literal, e.g. ``['yes', 'no']`` (as lm-eval does)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise RecordError(f"{where}: the template must render a list such as ['yes', 'no'], got {text!r}") from None
    if not isinstance(value, (list, tuple)):
        raise RecordError(f"{where}: the template must render a list such as ['yes', 'no'], got {text!r}")
    return list(value)
