"""Time the classical model per task (and, on synthetic pairs, compare its PSNR with returning the input).

Usage:
    python benchmarks/bench_classical.py                 # 170 synthetic requests (10 per task) at 256 px
    python benchmarks/bench_classical.py --data ROOT     # every record of a dataset in the official layout

Synthetic pairs are made here from sample_benchmark/sources (noise, down-sampling, low contrast,
rings, ghosts, blanked regions, slice montages) so the clean image is known; with --data the script
reads data.jsonl records directly and only times the model (it never passes answers to it).
"""

from __future__ import annotations

import argparse
import glob
import io
import json
import os
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from medgen_classical.model import ClassicalModel  # noqa: E402

from medgen_core.types import ImageRef, ModelRequest, Sample  # noqa: E402

SOURCES = Path(
    os.environ.get("MEDGEN_SOURCES", str(Path(__file__).resolve().parents[3] / "sample_benchmark" / "sources"))
)
FOLDERS = {
    "VQA/multiple-choice": "multiple_choice",
    "VQA/blank-filling": "blank_filling",
    "VQA/report-generation": "report_generation",
    "VQA/question-answering": "question_answering",
    "ImageEditing/style-transfer": "style_transfer",
    "ImageEditing/artifact-removal": "artifact_removal",
    "ImageEditing/noise-reconstruction": "noise_reconstruction",
    "ImageEditing/resolution-editing": "resolution_editing",
    "ImageEditing/contrast-enhancement": "contrast_enhancement",
    "ImageEditing/anatomical-annotation": "anatomical_annotation",
    "MultimodalGeneration/disease-prediction": "disease_prediction",
    "MultimodalGeneration/instruction-editing": "instruction_editing",
    "MultimodalGeneration/organic-removal": "organ_removal",
    "MultimodalGeneration/organic-reconstruction": "organ_reconstruction",
    "MultimodalGeneration/3d-to-2d-projection": "projection_3d_to_2d",
    "MultimodalGeneration/2d-to-3d-reconstruction": "reconstruction_2d_to_3d",
}
OUT_TYPE = {"VQA": "text", "ImageEditing": "image", "MultimodalGeneration": "text+image"}
MODALITY = {
    "ct": "ct",
    "mri": "mri",
    "mr": "mri",
    "ultrasound": "us",
    "us": "us",
    "x-ray": "xray",
    "xray": "xray",
    "radiograph": "xray",
    "pathology": "pathology",
    "histopathology": "pathology",
}


def ref(arr: np.ndarray, name: str) -> ImageRef:
    buf = io.BytesIO()
    Image.fromarray(np.rint(np.clip(arr, 0, 1) * 255).astype(np.uint8)).save(buf, format="PNG")
    return ImageRef(name, data=buf.getvalue())


def load(path: str, size: int) -> np.ndarray:
    img = Image.open(path)
    img = img.convert("RGB") if img.mode not in ("L", "RGB") else img
    return np.asarray(img.resize((size, size), Image.Resampling.LANCZOS), dtype=np.float64) / 255.0


def synthetic(size: int, per_task: int) -> list[tuple[ModelRequest, np.ndarray | None]]:
    """(request, clean target or None) pairs; the target is only used here, after prediction."""
    rng = np.random.default_rng(0)
    files = sorted(glob.glob(str(SOURCES / "*" / "*.png")))
    pairs = []
    for i in range(per_task * 17):
        task = sorted(FOLDERS.values()) + ["ct_lesion_edit"]
        task = task[i % 17]
        f = files[(i * 7) % len(files)]
        mod = Path(f).parent.name
        clean = load(f, size)
        inp, target, prompt = clean, None, "Edit this image."
        if task == "noise_reconstruction":
            kind = ("gaussian", "poisson", "speckle")[i % 3]
            noisy = {
                "gaussian": clean + rng.normal(0, 0.06, clean.shape),
                "poisson": rng.poisson(clean * 80) / 80,
                "speckle": clean * (1 + rng.normal(0, 0.2, clean.shape)),
            }[kind]
            inp, target, prompt = np.clip(noisy, 0, 1), clean, f"Remove the {kind} noise from this {mod} image."
        elif task == "resolution_editing":
            inp, target, prompt = clean[::2, ::2], clean, f"Upscale this image to {size}x{size}."
        elif task == "contrast_enhancement":
            inp, prompt = 0.4 + 0.2 * clean, "Enhance the contrast of this image."
        elif task == "artifact_removal":
            yy, xx = np.mgrid[0:size, 0:size]
            rings = np.where(np.hypot(yy - size / 2, xx - size / 2).astype(int) % 15 == 0, 0.1, 0.0)
            rings = rings[..., None] if clean.ndim == 3 else rings
            inp, target, prompt = np.clip(clean + rings, 0, 1), clean, "Remove the ring artifacts."
        elif task == "organ_reconstruction":
            inp = clean.copy()
            inp[size // 3 : size // 2, size // 3 : size // 2] = 0
            target, prompt = clean, "Reconstruct the missing region."
        elif task == "projection_3d_to_2d":
            small = load(f, size // 2)
            inp = np.concatenate([np.concatenate([small, small * 0.9], 1), np.concatenate([small * 0.8, small], 1)], 0)
            target, prompt = small, "Produce a maximum intensity projection of the 2x2 slice montage."
        choices = ["MRI", "CT", "Ultrasound", "X-ray"] if task == "multiple_choice" else None
        if choices:
            prompt = "Which modality?\n" + "\n".join(f"{'ABCD'[k]}. {c}" for k, c in enumerate(choices))
        out = {
            "multiple_choice": "text",
            "blank_filling": "text",
            "report_generation": "text",
            "question_answering": "text",
        }.get(task, "text+image" if task in _GEN else "image")
        sample = Sample(
            id=f"{task}-{i}",
            task=task,
            format="edit",
            modality=mod,
            instruction=prompt,
            choices=choices,
            input_images=[ref(inp, f"{i}.png")],
        )
        pairs.append((ModelRequest(sample, prompt, out, list(sample.input_images)), target))
    return pairs


_GEN = {
    "disease_prediction",
    "instruction_editing",
    "organ_removal",
    "organ_reconstruction",
    "projection_3d_to_2d",
    "reconstruction_2d_to_3d",
    "ct_lesion_edit",
}


def from_dataset(root: Path) -> list[tuple[ModelRequest, None]]:
    pairs = []
    for folder, task in FOLDERS.items():
        jsonl = root / folder / "data.jsonl"
        if not jsonl.exists():
            continue
        for line in jsonl.read_text().splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            mod = MODALITY.get(str(rec.get("modality", "")).lower(), "photo")
            prompt = rec["instruction"]
            choices = rec.get("choice") or None
            if choices:
                prompt += "\n" + "\n".join(f"{chr(65 + k)}. {c}" for k, c in enumerate(choices))
            t = task
            if task == "instruction_editing" and mod == "ct" and rec.get("paper_subtask") == "Lesion Edit":
                t = "ct_lesion_edit"
            images = [ImageRef(p, jsonl.parent / p) for p in rec.get("input_image", [])]
            sample = Sample(
                id=rec.get("id", ""),
                task=t,
                format="edit",
                modality=mod,
                instruction=rec["instruction"],
                choices=choices,
                input_images=images,
            )
            pairs.append((ModelRequest(sample, prompt, OUT_TYPE[folder.split("/")[0]], images), None))
    return pairs


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    if a.shape != b.shape:
        b = (
            np.asarray(
                Image.fromarray(np.rint(b * 255).astype(np.uint8)).resize(
                    (a.shape[1], a.shape[0]), Image.Resampling.LANCZOS
                ),
                dtype=np.float64,
            )
            / 255.0
        )
    mse = float(np.mean((a - b) ** 2))
    return 100.0 if mse == 0 else 10 * np.log10(1 / mse)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--per-task", type=int, default=10)
    args = ap.parse_args()
    pairs = from_dataset(args.data) if args.data else synthetic(args.size, args.per_task)
    model = ClassicalModel()
    times: dict[str, list[float]] = defaultdict(list)
    gains: dict[str, list[tuple[float, float]]] = defaultdict(list)
    failures = 0
    start = time.perf_counter()
    for req, target in pairs:
        t0 = time.perf_counter()
        (out,) = model.predict([req])
        times[req.sample.task].append(time.perf_counter() - t0)
        if isinstance(out, BaseException):
            failures += 1
            print(f"FAIL {req.sample.id}: {out}")
            continue
        if target is not None and out.image is not None:
            pred = np.asarray(out.image, dtype=np.float64) / 255.0
            inp = np.asarray(req.images[0].open(), dtype=np.float64) / 255.0
            gains[req.sample.task].append((psnr(target, pred), psnr(target, inp)))
    total = time.perf_counter() - start
    print(f"{len(pairs)} requests in {total:.2f} s ({failures} failures)")
    print(f"{'task':26s} {'n':>3s} {'mean ms':>8s} {'max ms':>8s} {'PSNR classical':>15s} {'PSNR identity':>14s}")
    for task in sorted(times):
        ts = np.array(times[task]) * 1000
        g = gains.get(task)
        extra = f"{np.mean([a for a, _ in g]):15.2f} {np.mean([b for _, b in g]):14.2f}" if g else ""
        print(f"{task:26s} {len(ts):3d} {ts.mean():8.1f} {ts.max():8.1f} {extra}")


if __name__ == "__main__":
    main()
