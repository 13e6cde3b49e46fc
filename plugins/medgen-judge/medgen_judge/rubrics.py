"""Which rubric a judgement uses: the task's own, a shipped one (``medical``, ``paper``) or a rubric file.

A rubric file without a checklist takes the task's checklist (the checklist
is about the task's format, the dimensions about what is graded), and one
without a preamble takes the task's preamble.
"""

from __future__ import annotations

from dataclasses import replace
from importlib import resources
from pathlib import Path

from medgen_core import MedgenError, Rubric, as_folder, load_rubric

SHIPPED = ("medical", "paper")


def rubric_dir() -> Path:
    """The shipped rubric files, as a real folder in every install form (a zipped one is extracted once)."""
    return as_folder(resources.files("medgen_judge") / "rubrics")


def load_override(spec: str | None) -> Rubric | None:
    """The rubric named by ``rubric=`` (None: each task's own)."""
    if spec is None or spec == "" or spec == "task":
        return None
    path = rubric_dir() / f"{spec}.yaml" if spec in SHIPPED else Path(spec).expanduser()
    if not path.is_file():
        raise MedgenError(
            f"judge vlm: rubric={spec!r} is neither a shipped rubric ({', '.join(SHIPPED)}) nor a rubric file"
        )
    return load_rubric(path)


def rubric_for(task_rubric: Rubric, override: Rubric | None) -> Rubric:
    """The rubric a request is judged with."""
    if override is None:
        return task_rubric
    return replace(
        override,
        preamble=override.preamble or task_rubric.preamble,
        checklist=override.checklist or task_rubric.checklist,
    )
