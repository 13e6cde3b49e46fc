"""The later Parquet form of the release: configs ``vqa``, ``image_editing``,
``multimodal_generation`` with images embedded as ``{bytes, path}``.

Rows stream in small batches (pyarrow, which ``datasets`` writes and reads
these files with), so memory stays flat; each row becomes a sample exactly as
a JSONL record would, named ``file:row N`` in every message.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medgen_core.data.records import ImageResolver, resolve_image, task_names
from medgen_core.names import normalise_task_name
from medgen_core.tasks.spec import TaskSpec
from medgen_core.types import ImageRef, MedgenError

CONFIG_BY_FORMAT = {"VQA": "vqa", "ImageEditing": "image_editing", "MultimodalGeneration": "multimodal_generation"}
BATCH_ROWS = 64


def parquet_files(root: Path, dataset_name: str) -> list[Path]:
    """The files of the config holding ``dataset_name`` (``Format/task``): ``<config>/*.parquet`` or
    ``<config>-*.parquet`` anywhere under the root (``data/`` in hub snapshots)."""
    config = CONFIG_BY_FORMAT.get(dataset_name.split("/", 1)[0])
    if config is None:
        return []
    found = [p for p in root.rglob("*.parquet") if config in (p.parent.name, p.name.split("-", 1)[0])]
    return sorted(found)


IMAGE_FIELDS = ("input_image", "ground_truth_image", "mask_image")


def iter_rows(
    files: list[Path], spec: TaskSpec, without_images: bool = False
) -> Iterator[tuple[str, dict[str, Any], bytes]]:
    """(source, record, canonical bytes for hashing) for each row of this task.

    ``without_images`` skips the image columns, for passes that only count or filter rows.
    """
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MedgenError("reading the Parquet form needs pyarrow: pip install 'medgen[hub]'") from None

    wanted = task_names(spec)
    for file in files:
        row_no = 0
        parquet = pq.ParquetFile(file)
        names = parquet.schema_arrow.names
        columns = [n for n in names if n not in IMAGE_FIELDS] if without_images else None
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns):
            for record in batch.to_pylist():
                row_no += 1
                if normalise_task_name(str(record.get("paper_task") or "")) not in wanted:
                    continue
                canonical = json.dumps(record, sort_keys=True, default=_digest).encode()
                yield f"{file}:row {row_no}", record, canonical


def embedded_resolver(file_root: Path, root: Path) -> ImageResolver:
    """Images as ``{bytes, path}`` structs; a struct with only a path is read inside the root."""

    def resolve(value: Any, where: str) -> ImageRef:
        if isinstance(value, dict) and value.get("bytes"):
            return ImageRef(ref=f"{where.split(': field')[0]}:{value.get('path') or 'embedded'}", data=value["bytes"])
        if isinstance(value, dict) and value.get("path"):
            return resolve_image(value["path"], file_root, root, where)
        if isinstance(value, str):
            return resolve_image(value, file_root, root, where)
        raise MedgenError(f"{where}: expected an embedded image {{bytes, path}}, got {type(value).__name__}")

    return resolve


def strip_bytes(record: dict[str, Any]) -> dict[str, Any]:
    """The record without embedded image bytes (kept as their paths), for prompts and logs."""
    out = {}
    for key, value in record.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) and "bytes" in v for v in value):
            out[key] = [v.get("path") or "embedded" for v in value]
        else:
            out[key] = value
    return out


def _digest(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return hashlib.sha256(value).hexdigest()
    return str(value)
