"""Datasets built with ``datasets`` itself, one per storage form, and their task YAMLs (tests/data uses them).

Every form holds the same four records: a question and answer, a CT or MRI
modality, an organ (the subtask), one input image, a second input image (for
multi-image VQA) and a reference image. Images are flat grey squares, so a
metric's expected value is known exactly: the identity model returns the
input (grey 40 + 10 i) against a reference of grey 100 + 10 i, a gap of 60.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import Image

N = 4
GAP = 60.0  # |mean(input) - mean(reference)| for every record


def grey(path: Path, value: int) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", (16, 16), value).save(path)
    return path.read_bytes()


def base_records(folder: Path) -> list[dict[str, Any]]:
    """The records with image paths relative to ``folder``; the image files are written there."""
    records = []
    for i in range(N):
        grey(folder / "img" / f"in_{i}.png", 40 + 10 * i)
        grey(folder / "img" / f"in_{i}_b.png", 200)
        grey(folder / "img" / f"gt_{i}.png", 100 + 10 * i)
        records.append(
            {
                "uid": f"case-{i}",
                "question": f"How many lesions are in case {i}?",
                "answer": f"{i + 1} lesions",
                "modality": "CT" if i % 2 == 0 else "MRI",
                "organ": "liver" if i < 2 else "kidney",
                "scan": f"img/in_{i}.png",
                "scan_b": f"img/in_{i}_b.png",
                "scans": [f"img/in_{i}.png", f"img/in_{i}_b.png"],
                "target": f"img/gt_{i}.png",
            }
        )
    return records


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def embedded_dataset(folder: Path, records: list[dict[str, Any]]) -> Any:
    """The records as a ``datasets.Dataset``: Image features with embedded bytes, a List(Image) column,
    and a plain binary column holding the reference image's bytes."""
    import datasets

    def image(rel: str) -> dict[str, Any]:
        return {"bytes": (folder / rel).read_bytes(), "path": Path(rel).name}

    rows = {key: [r[key] for r in records] for key in ("uid", "question", "answer", "modality", "organ")}
    rows["scan"] = [image(r["scan"]) for r in records]
    rows["scans"] = [[image(p) for p in r["scans"]] for r in records]
    rows["target_bytes"] = [(folder / r["target"]).read_bytes() for r in records]
    features = datasets.Features(
        {
            **{key: datasets.Value("string") for key in ("uid", "question", "answer", "modality", "organ")},
            "scan": datasets.Image(),
            "scans": datasets.List(datasets.Image()),
            "target_bytes": datasets.Value("binary"),
        }
    )
    return datasets.Dataset.from_dict(rows, features=features)


def task_yaml(path: Path, name: str, output: str, data: str, **keys: Any) -> Path:
    """A task YAML: ``data`` is its dataset_path / dataset_kwargs lines; ``keys`` its doc_to_* keys."""
    metric = "length_ratio" if output == "text" else "mean_intensity_gap"
    lines = [f"task: {name}", f"output_type: {output}", data.strip(), f"metric_list:\n  - metric: {metric}"]
    lines += [f"{key}: {json.dumps(value)}" for key, value in keys.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


EDIT_KEYS = {"doc_to_id": "uid", "doc_to_text": "{{ question }}", "doc_to_subtask": "organ"}
PATHS = {"doc_to_image": "scan", "doc_to_reference_image": "target"}
EMBEDDED = {"doc_to_image": "scan", "doc_to_reference_image": "target_bytes"}
VQA_KEYS = {**EDIT_KEYS, "doc_to_target": "answer"}


def build_forms(root: Path) -> dict[str, dict[str, Path]]:
    """{form: {"edit": yaml, "vqa": yaml, ...}} for every storage form, written under ``root``."""
    out: dict[str, dict[str, Path]] = {}

    # JSON lines with image paths relative to the file (one column, a list column, two columns)
    folder = root / "json"
    records = base_records(folder)
    write_jsonl(folder / "records.jsonl", records)
    data = "dataset_path: json\ndataset_kwargs:\n  data_files: {test: records.jsonl}"
    out["json"] = {
        "edit": task_yaml(folder / "edit.yaml", "json_edit", "image", data, **PATHS, **EDIT_KEYS),
        "vqa": task_yaml(folder / "vqa.yaml", "json_vqa", "text", data, doc_to_image="scans", **VQA_KEYS),
        "vqa_columns": task_yaml(
            folder / "vqa2.yaml", "json_vqa_columns", "text", data, doc_to_image=["scan", "scan_b"], **VQA_KEYS
        ),
    }

    # CSV: the same paths, one per column
    import csv

    with (folder / "records.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[k for k in records[0] if k != "scans"])
        writer.writeheader()
        writer.writerows({k: v for k, v in r.items() if k != "scans"} for r in records)
    data = "dataset_path: csv\ndataset_kwargs:\n  data_files: {test: records.csv}"
    out["csv"] = {
        "edit": task_yaml(folder / "csv_edit.yaml", "csv_edit", "image", data, **PATHS, **EDIT_KEYS),
    }

    # Parquet with embedded Image features, streamed (and the same file read without streaming)
    folder = root / "parquet"
    embedded_dataset(root / "json", records).to_parquet(str(folder / "data" / "test-00000.parquet"))
    data = "dataset_path: parquet\ndataset_kwargs:\n  data_files: {test: data/*.parquet}"
    cached = data + f"\n  streaming: false\n  cache_dir: {root / 'hf-cache'}"
    out["parquet"] = {
        "edit": task_yaml(folder / "edit.yaml", "pq_edit", "image", data, **EMBEDDED, **EDIT_KEYS),
        "vqa": task_yaml(folder / "vqa.yaml", "pq_vqa", "text", data, doc_to_image="scans", **VQA_KEYS),
        "cached": task_yaml(folder / "cached.yaml", "pq_cached", "image", cached, **EMBEDDED, **EDIT_KEYS),
    }

    # imagefolder with metadata.jsonl: `image` from file_name, `target` from target_file_name
    folder = root / "imagefolder"
    base_records(folder)
    meta = [
        {
            "file_name": r["scan"],
            "target_file_name": r["target"],
            **{k: r[k] for k in ("uid", "question", "answer", "modality", "organ")},
        }
        for r in records
    ]
    write_jsonl(folder / "metadata.jsonl", meta)
    data = "dataset_path: imagefolder\ndataset_kwargs:\n  data_dir: .\ntest_split: train"
    out["imagefolder"] = {
        "edit": task_yaml(
            folder / "edit.yaml",
            "if_edit",
            "image",
            data,
            doc_to_image="image",
            doc_to_reference_image="target",
            **EDIT_KEYS,
        ),
    }

    # a local folder as dataset_path (``datasets`` picks the loader from the files)
    folder = root / "folder"
    base_records(folder / "ds")
    write_jsonl(folder / "ds" / "test.jsonl", records)
    data = "dataset_path: ./ds"
    out["folder"] = {
        "edit": task_yaml(folder / "edit.yaml", "folder_edit", "image", data, **PATHS, **EDIT_KEYS),
    }
    return out
