"""The files of a run folder as readers see them: their names, and its journals read without writing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medgen_core.errors import MedgenError

RESULTS = "results.json"
SAMPLES = "samples.jsonl"
PREDICTIONS = "predictions.jsonl"
SCORES = "scores.jsonl"
RUN = "run.json"


class ResultsError(MedgenError):
    """A results.json or samples.jsonl that cannot be read: names the file, the field and the version."""


def read_journal(path: Path) -> Iterator[dict[str, Any]]:
    """Entries of a JSONL journal, read-only; a torn last line (a run still writing) is left out."""
    if not path.is_file():
        return
    for number, line in lines(path):
        if not line.endswith("\n"):
            return
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            raise ResultsError(f"{path}, line {number}: not JSON ({exc.msg})") from None


def lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of every non-blank line of a file that must exist."""
    if not path.is_file():
        raise ResultsError(f"{path}: missing")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                yield number, line
