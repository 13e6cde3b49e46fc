"""The Parquet form of the release: configs ``vqa``, ``image_editing``, ``multimodal_generation``.

Files are read through ``datasets`` (streamed, images left as stored
``{bytes, path}``), one file at a time so every message names ``file:row N``.
Two column layouts are accepted. Rows with the JSONL field names pass as they
are; the hub's later layout (``input_images`` / ``output_images`` as lists of
image structs, ``task`` / ``subtask``, MC options possibly only inside
``instruction``) is renamed to them by :func:`canonical_row`, so a row becomes
a sample exactly as its JSONL record would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medgen_core.data.choices import options_in_text
from medgen_core.data.records import canonical_bytes, task_names
from medgen_core.data.source import DatasetSource, task_label
from medgen_core.names import normalise_task_name
from medgen_core.tasks.index import TaskInstance

CONFIG_BY_FORMAT = {"VQA": "vqa", "ImageEditing": "image_editing", "MultimodalGeneration": "multimodal_generation"}
IMAGE_COLUMNS = ("input_image", "ground_truth_image", "mask_image", "input_images", "output_images")
MULTIPLE_CHOICE = frozenset({"multiple_choice", "multi_choice", "multichoice"})


def parquet_files(root: Path, dataset_name: str) -> list[Path]:
    """The files of the config holding ``dataset_name`` (``Format/task``): ``<config>/*.parquet`` or
    ``<config>-*.parquet`` anywhere under the root (``data/`` in hub snapshots)."""
    config = CONFIG_BY_FORMAT.get(dataset_name.split("/", 1)[0])
    if config is None:
        return []
    found = [p for p in root.rglob("*.parquet") if config in (p.parent.name, p.name.split("-", 1)[0])]
    return sorted(found)


def iter_rows(
    files: list[Path], instance: TaskInstance, without_images: bool = False
) -> Iterator[tuple[str, dict[str, Any], bytes]]:
    """(source, row under the JSONL names, the row as stored for hashing) for each row of this task.

    ``without_images`` reads no image column, for passes that only count or filter rows.
    """
    from medgen_core.data.stream import open_dataset

    wanted = task_names(instance.spec)
    for file in files:
        source = DatasetSource("parquet", None, "train", True, kwargs={"data_files": [str(file)]}, label=str(file))
        columns = _columns(file, without_images)
        for row_no, row in enumerate(open_dataset(source, task_label(instance), columns), start=1):
            if normalise_task_name(str(row.get("paper_task") or row.get("task") or "")) not in wanted:
                continue
            yield f"{file}:row {row_no}", canonical_row(row), canonical_bytes(row)


def _columns(file: Path, without_images: bool) -> list[str] | None:
    if not without_images:
        return None
    import pyarrow.parquet as pq

    return [name for name in pq.read_schema(file).names if name not in IMAGE_COLUMNS]


def canonical_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row of the later layout under the JSONL field names; a row already in JSONL form is unchanged.

    The reference image is ``output_images[0]``; MC options found only in the instruction become ``choice``.
    """
    out = dict(row)
    if "input_images" in out and "input_image" not in out:
        out["input_image"] = out.pop("input_images") or []
    if "output_images" in out and "ground_truth_image" not in out:
        out["ground_truth_image"] = (out.pop("output_images") or [])[:1]
    if not out.get("paper_task") and out.get("task"):
        out["paper_task"] = out["task"]
    if not out.get("paper_subtask") and out.get("subtask"):
        out["paper_subtask"] = out["subtask"]
    if not out.get("choice") and normalise_task_name(str(out.get("paper_task") or "")) in MULTIPLE_CHOICE:
        options = options_in_text(out.get("instruction"))
        if options:
            out["choice"] = options
    return out
