"""Stage 4: automatic review of each written record (and an optional VLM review).

The checks read the files back from disk, so they catch what was really
written: images decode, sizes are within the limit, paths stay inside the
task folder, the pair actually differs, masks are non-empty, answers present,
multiple-choice options well formed.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

REVIEW_VERSION = "1"


def _open(task_dir: Path, rel: str):
    from medgen_core import decode_image

    return decode_image((task_dir / rel).read_bytes(), rel)


def _inside(rel: str) -> bool:
    p = PurePosixPath(rel)
    return not p.is_absolute() and ".." not in p.parts and "\\" not in rel


def automatic_review(record: dict[str, Any], task_dir: Path, max_size: int) -> dict[str, Any]:
    checks: dict[str, bool] = {}
    refs = [*record.get("input_image", []), *record.get("ground_truth_image", []), *record.get("mask_image", [])]
    checks["paths_relative_inside_task"] = all(_inside(r) for r in refs)
    images = {}
    try:
        images = {r: _open(task_dir, r) for r in refs}
        checks["images_decode"] = True
    except Exception:  # any decode/read failure fails the check
        checks["images_decode"] = False
    checks["images_within_max_size"] = bool(images) and all(max(im.size) <= max_size for im in images.values())
    checks["has_input_image"] = len(record.get("input_image", [])) >= 1
    checks["answer_present"] = bool(record.get("answer"))
    checks["instruction_present"] = len(record.get("instruction", "")) >= 20
    if record["category"] == "VQA":
        checks["no_ground_truth_image"] = record.get("ground_truth_image") == []
    else:
        checks["one_ground_truth_image"] = len(record.get("ground_truth_image", [])) == 1
        checks["single_input_image"] = len(record.get("input_image", [])) == 1
        if checks["images_decode"] and checks["one_ground_truth_image"]:
            checks["pair_differs"] = _differs(images[record["input_image"][0]], images[record["ground_truth_image"][0]])
    if "choice" in record:
        choices = record["choice"]
        checks["four_distinct_options"] = len(choices) == 4 and len(set(choices)) == 4
        checks["answer_letter_valid"] = record.get("answer") in "ABCD"[: len(choices)] and len(record["answer"]) == 1
    if record.get("mask_image"):
        if checks["images_decode"]:
            mask = np.asarray(images[record["mask_image"][0]])
            target = images[record["ground_truth_image"][0]]
            checks["mask_nonempty"] = bool((mask > 0).any())
            checks["mask_matches_target_size"] = mask.shape[:2] == (target.size[1], target.size[0])
    failed = sorted(k for k, ok in checks.items() if not ok)
    return {
        "stage": "automatic",
        "version": REVIEW_VERSION,
        "checks": sorted(checks),
        "failed": failed,
        "status": "passed" if not failed else "failed",
        "expert_review": "not performed",
    }


def _differs(a, b, level: float = 8.0, min_fraction: float = 0.001) -> bool:
    """True when at least ``min_fraction`` of pixels differ by more than ``level`` grey levels.

    A share of changed pixels (not a mean) so a small local edit such as a lesion still counts.
    """
    from PIL import Image

    ga, gb = a.convert("RGB"), b.convert("RGB")
    if ga.size != gb.size:
        ga = ga.resize(gb.size, Image.Resampling.BILINEAR)
    diff = np.abs(np.asarray(ga, np.float32) - np.asarray(gb, np.float32))
    return float((diff.max(axis=-1) > level).mean()) >= min_fraction
