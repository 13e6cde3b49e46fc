"""A finished run folder of any size, without running a model: for report tests and benchmarks.

Every sample has real images (the bundled sample's, hard-linked under new
names, so each sample's images are distinct files as in a real run), texts of
realistic length, pixel, text and holistic scores from one judge in both
modes with its analysis and per-dimension explanations, and a few failures of
each kind. results.json is built with the core's own aggregation.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from pathlib import Path
from typing import Any

from medgen_core.names import MODALITIES
from medgen_core.paths import builtin_task_dir, bundled_sample_root

FORMAT_GROUPS = {"vqa": "medgen_vqa", "edit": "medgen_edit", "gen": "medgen_gen"}
JUDGE = "gpt-4o"
DIMENSIONS = ["anatomical_accuracy", "clinical_finding_accuracy", "instruction_compliance"]
DIMENSIONS += ["cross_modal_consistency", "hallucination_omission_control"]
TEXT_KEYS = {"bertscore_f1[synthetic]": (0.9, True), "bleu": (0.09, True)}
PIXEL_KEYS = {"ssim": (0.7, True), "psnr": (28.0, True), "lpips[alex]": (0.6, False)}
JUDGE_KEYS = {f"judge:{JUDGE}[with_reference]": (8.0, True), f"judge:{JUDGE}[without_reference]": (8.0, True)}
UNAVAILABLE = "LPIPS needs the AlexNet backbone alexnet-owt-7be5be79.pth, which is not in the torch hub cache"
_WORDS = (
    "axial coronal lesion focal hypodense contrast enhanced margin tissue normal lung liver kidney edema mass "
    "artifact noise streak boundary signal intensity region lower upper left right central structure preserved"
).split()


def write_synthetic_run(folder: Path, n_samples: int, seed: int = 0, image_px: int | None = None) -> Path:
    """Write a finished run of ``n_samples`` samples spread over the 16 tasks into ``folder``.

    ``image_px`` shrinks the images to that longest side (cheaper to decode; the bundled sample's are
    256 px); None keeps them as they are.
    """
    from medgen_core.results.aggregate import Column

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    pool = _image_pool(folder / "pool", image_px)
    data_root = folder / "data"
    tasks = _tasks()
    columns: dict[str, dict[str, Column]] = {}
    group: dict[str, Column] = {}
    hashes: dict[str, dict[str, str]] = {}
    n_samples_of: dict[str, dict[str, int]] = {}
    with (folder / "samples.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(n_samples):
            fmt, task = tasks[i % len(tasks)]
            line = _sample(rng, i, fmt, task, pool, data_root, folder)
            hashes.setdefault(task, {})[line["id"]] = hashlib.sha256(line["id"].encode()).hexdigest()
            counts = n_samples_of.setdefault(task, {"total": 0, "failed_predictions": 0, "not_done": 0})
            counts["total"] += 1
            counts["failed_predictions"] += bool(line["error"])
            for key, (threshold, higher) in _keys(fmt).items():
                own = columns.setdefault(task, {}).setdefault(key, Column(key, _tier(key), higher, {task: threshold}))
                pooled = group.setdefault(key, Column(key, _tier(key), higher))
                pooled.thresholds[task] = threshold
                if key == "lpips[alex]":
                    own.unavailable = pooled.unavailable = UNAVAILABLE
                for column in (own, pooled):
                    column.add(task, line["scores"].get(key), not_done=key in line["not_done"])
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    results = {
        "schema_version": 1,
        "results": {t: {k: c.summary(seed) for k, c in sorted(cols.items())} for t, cols in columns.items()},
        "groups": {"medgen": {**{k: c.summary(seed) for k, c in sorted(group.items())}, "tasks": sorted(columns)}},
        "n_samples": n_samples_of,
        "versions": {t: 1.0 for t in columns},
        "config": _config(seed, data_root, hashes, n_samples),
    }
    (folder / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return folder


def _tasks() -> list[tuple[str, str]]:
    """(format, task) for the 16 built-in tasks, from the format groups."""
    from medgen_core.tasks.index import TaskIndex

    index = TaskIndex([builtin_task_dir()])
    return [(fmt, task.name) for fmt, group in FORMAT_GROUPS.items() for task in index.select([group]).tasks]


def _keys(fmt: str) -> dict[str, tuple[float, bool]]:
    if fmt == "vqa":
        return {**JUDGE_KEYS, **TEXT_KEYS}
    if fmt == "edit":
        return {**JUDGE_KEYS, **PIXEL_KEYS}
    return {**JUDGE_KEYS, **TEXT_KEYS, **PIXEL_KEYS}


def _tier(key: str) -> str:
    return "holistic" if key.startswith("judge:") else "pixel" if key in PIXEL_KEYS else "text"


def _image_pool(pool: Path, image_px: int | None) -> list[Path]:
    """The bundled sample's images, copied once next to the run (hard links then stay on one file system)."""
    from PIL import Image

    pool.mkdir(parents=True, exist_ok=True)
    out = []
    for i, source in enumerate(sorted(bundled_sample_root().rglob("*.png"))):
        target = pool / f"{i:04d}.png"
        if not target.exists():
            if image_px is None:
                shutil.copyfile(source, target)
            else:
                with Image.open(source) as img:
                    img.thumbnail((image_px, image_px))
                    img.save(target)
        out.append(target)
    return out


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        os.link(source, target)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def _sample(
    rng: random.Random, i: int, fmt: str, task: str, pool: list[Path], data_root: Path, run: Path
) -> dict[str, Any]:
    sample_id = f"{task.replace('_', '-')}-{i:06d}"
    input_ref = f"{task}/images/{i:06d}_input.png"
    _link(pool[i % len(pool)], data_root / input_ref)
    reference_ref = output_ref = None
    if fmt != "vqa":
        reference_ref = f"{task}/images/{i:06d}_target.png"
        _link(pool[(i * 7 + 3) % len(pool)], data_root / reference_ref)
        output_ref = f"images/{i % 256:02x}/{hashlib.sha256(sample_id.encode()).hexdigest()}.png"
        _link(pool[(i * 13 + 5) % len(pool)], run / output_ref)
    line: dict[str, Any] = {
        "id": sample_id,
        "task": task,
        "modality": MODALITIES[i % len(MODALITIES)],
        "subtask": None,
        "format": fmt,
        "source": f"synthetic:{i}",
        "prompt": _text(rng, 55),
        "inputs": {"images": [input_ref], "reference_image": reference_ref},
        "prediction": {"text": _text(rng, 40) if fmt != "edit" else None, "image": output_ref, "latency_s": 1.2},
        "reference_text": _text(rng, 40) if fmt != "edit" else None,
        "error": None,
        "scores": {},
        "failures": {},
        "not_done": {},
        "judges": {},
    }
    if rng.random() < 0.01:
        line["error"] = "RuntimeError: the model timed out after 3 attempts"
    for key in _keys(fmt):
        _score(rng, line, key)
    return line


def _score(rng: random.Random, line: dict[str, Any], key: str) -> None:
    if line["error"]:
        line["failures"][key] = f"prediction failed: {line['error']}"
        return
    if key == "lpips[alex]":
        line["failures"][key] = f"metric unavailable: {UNAVAILABLE}"
        return
    mode = key[key.index("[") + 1 : -1] if key.startswith("judge:") else None
    if mode and rng.random() < 0.01:
        line["not_done"][key] = "not scored: the judge budget of 100 USD was reached"
        line["judges"].setdefault(JUDGE, {})[mode] = {"not_judged": line["not_done"][key]}
        return
    if rng.random() < 0.005:
        line["failures"][key] = "judge failed after 3 attempt(s): reply is not JSON"
        return
    value = {"ssim": rng.random(), "psnr": rng.uniform(10, 45), "bleu": rng.random() * 0.2}.get(key, rng.random())
    if mode:
        value = float(rng.randint(1, 10))
        line["judges"].setdefault(JUDGE, {})[mode] = {
            "overall": value,
            "dimensions": {d: rng.randint(1, 10) for d in DIMENSIONS},
            "explanations": {d: _text(rng, 14) for d in DIMENSIONS},
            "analysis": _text(rng, 70),
        }
    line["scores"][key] = value


def _config(seed: int, data_root: Path, hashes: dict[str, dict[str, str]], n: int) -> dict[str, Any]:
    return {
        "medgen_version": "0.1.0",
        "python": "3.11",
        "plugins": {"synthetic": "0"},
        "command": f"synthetic run of {n} samples",
        "model": {"kind": "model", "name": "synthetic", "args": {}, "plugin": "synthetic", "hash": "0" * 64},
        "judges": [{"kind": "judge", "name": JUDGE, "args": {}, "key": JUDGE, "hash": "1" * 64}],
        "seed": seed,
        "data_root": str(data_root),
        "tasks": {t: {"hash": hashlib.sha256(t.encode()).hexdigest(), "version": 1.0, "path": None} for t in hashes},
        "data_hashes": hashes,
        "warnings": [],
    }
