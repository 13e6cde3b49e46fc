"""A miniature copy of the official MedGEN-Bench layout, built in a test's tmp folder.

Every format and task, list-valued image references, report answers as
section dicts, MC choices, multi-image VQA and several image modes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

TASKS = {
    "VQA": ["multiple-choice", "blank-filling", "report-generation", "question-answering"],
    "ImageEditing": [
        "style-transfer",
        "artifact-removal",
        "noise-reconstruction",
        "resolution-editing",
        "contrast-enhancement",
        "anatomical-annotation",
    ],
    "MultimodalGeneration": [
        "disease-prediction",
        "instruction-editing",
        "organic-removal",
        "organic-reconstruction",
        "3d-to-2d-projection",
        "2d-to-3d-reconstruction",
    ],
}
CATEGORY = {"VQA": "VQA", "ImageEditing": "ImageEdit", "MultimodalGeneration": "MMGeneration"}
PAPER_FORMAT = {"VQA": "VQA", "ImageEditing": "Image Editing", "MultimodalGeneration": "Multimodal Generation"}
IN_OUT = {
    "VQA": "image-text_to_text",
    "ImageEditing": "image-text_to_image",
    "MultimodalGeneration": "image-text_to_image-text",
}
MODALITIES = ["CT", "MRI", "X-ray", "Ultrasound", "Pathology", "Fundus photography", "Radiograph", "MR"]
MODES = ["L", "RGB", "RGBA", "I;16", "P"]


def write_image(path: Path, seed: int, mode: str = "L", size: int = 32) -> None:
    rng = np.random.default_rng(seed)
    base = np.add.outer(np.arange(size), np.arange(size)) * (200 // size)
    arr = np.clip(base + rng.integers(0, 40, (size, size)), 0, 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode == "I;16":
        Image.fromarray(arr.astype(np.uint16) * 257).save(path)
    elif mode == "P":
        Image.fromarray(arr).convert("RGB").convert("P").save(path)
    elif mode in ("RGB", "RGBA"):
        rgb = np.stack([arr, arr[::-1], arr.T], axis=-1)
        img = Image.fromarray(rgb, "RGB")
        (img.convert("RGBA") if mode == "RGBA" else img).save(path)
    else:
        Image.fromarray(arr).save(path)


def record(fmt: str, task: str, i: int, images: list[str], truth: list[str], modality: str) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": f"{task}-{i:03d}",
        "category": CATEGORY[fmt],
        "sub-category": "test",
        "modality": modality,
        "in-out": IN_OUT[fmt],
        "source": "minidata",
        "instruction": f"Describe case {i} of {task}.",
        "answer": f"answer {i} for {task}",
        "paper_format": PAPER_FORMAT[fmt],
        "paper_task": task,
        "paper_subtask": None,
        "observed_subtask": "generic",
        "input_image": images,
        "ground_truth_image": truth,
    }
    if task == "multiple-choice":
        rec["choice"] = ["pneumothorax", "normal study", "fracture", "effusion"]
        rec["answer"] = "B"
    if task == "report-generation":
        rec["answer"] = {"IMPRESSION": f"No acute finding {i}.", "FINDINGS": f"Clear lungs {i}."}
    if task == "instruction-editing" and i % 2 == 0:
        rec["modality"] = "CT"
        rec["paper_subtask"] = "Lesion Edit"
    return rec


def make_dataset(root: Path, per_task: int = 3, multi_image: bool = True) -> Path:
    """Write the layout under ``root`` and return it."""
    manifest: dict[str, Any] = {"name": "minidata", "table_iv": TASKS, "tasks": {}, "validation": {}}
    total = 0
    seed = 0
    for fmt, tasks in TASKS.items():
        for task in tasks:
            folder = root / fmt / task
            lines = []
            for i in range(per_task):
                seed += 1
                n_inputs = 2 if (fmt == "VQA" and multi_image and i == 1) else 1
                inputs = []
                for k in range(n_inputs):
                    name = f"images/{i:03d}_in{k}.png"
                    write_image(folder / name, seed * 10 + k, MODES[(seed + k) % len(MODES)])
                    inputs.append(name)
                truth = []
                if fmt != "VQA":
                    name = f"images/{i:03d}_gt.png"
                    write_image(folder / name, seed * 10 + 7, "L")
                    truth.append(name)
                lines.append(json.dumps(record(fmt, task, i, inputs, truth, MODALITIES[seed % len(MODALITIES)])))
            (folder / "data.jsonl").write_text("\n".join(lines) + "\n")
            (folder / "task_manifest.json").write_text(
                json.dumps({"format": fmt, "task": task, "record_count": per_task})
            )
            manifest["tasks"][f"{fmt}/{task}"] = {"record_count": per_task}
            total += per_task
    manifest["validation"]["actual_record_count"] = total
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return root
