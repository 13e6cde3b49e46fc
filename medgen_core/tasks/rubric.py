"""Rubric files: what a judge scores, kept beside a task YAML or shipped by a judge plugin.

A rubric file is YAML::

    name: my_rubric
    preamble: You are a radiologist grading ...       # optional
    dimensions:                                        # names, or one-key mappings name: what it means
      - anatomical_accuracy: Are the structures where they belong?
      - instruction_compliance
    checklist: [The instruction was followed.]        # optional

A task's ``judge.rubric_file`` names one (relative to the task YAML); its
content becomes part of the task spec, so its hash covers the rubric.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from medgen_core.types import MedgenError, Rubric

RUBRIC_KEYS = ("name", "preamble", "dimensions", "checklist")


def parse_rubric(data: Any, where: str) -> Rubric:
    """Validate a rubric mapping; errors name ``where`` and the key."""
    if not isinstance(data, dict):
        raise MedgenError(f"{where}: a rubric must be a mapping with 'dimensions', got {type(data).__name__}")
    unknown = sorted(set(data) - set(RUBRIC_KEYS))
    if unknown:
        raise MedgenError(f"{where}: key {unknown[0]!r}: unknown rubric key (known: {', '.join(RUBRIC_KEYS)})")
    names: list[str] = []
    descriptions: dict[str, str] = {}
    raw_dims = data.get("dimensions")
    if not isinstance(raw_dims, list) or not raw_dims:
        raise MedgenError(f"{where}: key 'dimensions': expected a non-empty list")
    for i, item in enumerate(raw_dims):
        if isinstance(item, str) and item.strip():
            names.append(item.strip())
        elif isinstance(item, dict) and len(item) == 1:
            ((name, text),) = item.items()
            names.append(str(name).strip())
            descriptions[str(name).strip()] = str(text).strip()
        else:
            raise MedgenError(f"{where}: key 'dimensions'[{i}]: expected a name or 'name: description', got {item!r}")
    if len(set(names)) != len(names):
        raise MedgenError(f"{where}: key 'dimensions': a dimension is listed twice")
    checklist = data.get("checklist") or []
    if not isinstance(checklist, list) or not all(isinstance(c, str) for c in checklist):
        raise MedgenError(f"{where}: key 'checklist': expected a list of sentences")
    preamble = data.get("preamble") or ""
    if not isinstance(preamble, str):
        raise MedgenError(f"{where}: key 'preamble': expected text")
    return Rubric(
        name=str(data.get("name") or Path(where).stem),
        preamble=preamble.strip(),
        dimensions=tuple(names),
        descriptions=descriptions,
        checklist=tuple(checklist),
    )


def load_rubric(path: Path) -> Rubric:
    """Read and validate a rubric file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MedgenError(f"{path}: cannot read rubric: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise MedgenError(f"{path}: not valid YAML: {exc}") from None
    return parse_rubric(data, str(path))


def rubric_mapping(rubric: Rubric) -> dict[str, Any]:
    """The mapping form of a rubric (what a rubric file holds)."""
    dims: list[Any] = [{d: rubric.descriptions[d]} if d in rubric.descriptions else d for d in rubric.dimensions]
    return {"name": rubric.name, "preamble": rubric.preamble, "dimensions": dims, "checklist": list(rubric.checklist)}
