"""The gallery's data: one compact record per sample, thumbnails embedded once, full images linked.

The page's script (assets/gallery.js) draws the cards from this data a page at
a time and filters them by task, modality, pass/fail (over every metric or
one) and failure kind, so a report of many thousand samples opens quickly.
Thumbnails are JPEG data URIs stored once and referred to by index; each links
to the full image by a path relative to the report file (the run folder's
``images/`` for outputs, the data root for inputs and references).
"""

from __future__ import annotations

import base64
import math
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from medgen_core.report.tables import all_keys, passed, without_panel_members
from medgen_core.report.thumbnails import ThumbnailCache
from medgen_core.results import LoadedRun, SampleRecord

FAILURE_KINDS = {
    "prediction": "prediction failed",
    "scoring": "a metric or judge failed",
    "unavailable": "metric unavailable",
    "not_done": "not done (budget, or not yet)",
}


class ImageLinks:
    """Where each image of the run is on disk, and how the report file links to it.

    Inputs and references are relative to the data root, outputs to the run folder; a link is the
    root's path relative to the report's folder (or its file URI) followed by the image's reference.
    """

    def __init__(self, run: LoadedRun, output: Path | None) -> None:
        self.run_dir = os.path.abspath(run.folder)
        root = run.results.config.data_root
        self.data_root = os.path.abspath(root) if root else None
        base = os.path.dirname(os.path.abspath(output)) if output is not None else None
        self.prefix = {r: _prefix(r, base) for r in (self.run_dir, self.data_root) if r}

    def input(self, ref: str | None) -> tuple[str, str] | None:
        """(absolute path, link) of a dataset image; None for images inside Parquet files or without a root."""
        if not ref or self.data_root is None or ":" in ref:  # "file.parquet:..." images live inside Parquet
            return None
        return os.path.join(self.data_root, ref), self.prefix[self.data_root] + quote(ref)

    def output(self, ref: str | None) -> tuple[str, str] | None:
        if not ref:
            return None
        return os.path.join(self.run_dir, ref), self.prefix[self.run_dir] + quote(ref)


def _prefix(root: str, base: str | None) -> str:
    if base is None:
        return Path(root).as_uri() + "/"
    try:
        return quote(Path(os.path.relpath(root, base)).as_posix()) + "/"
    except ValueError:  # another drive (Windows): no relative path
        return Path(root).as_uri() + "/"


def gallery_data(run: LoadedRun, output: Path | None, cache: ThumbnailCache) -> dict[str, Any]:
    links = ImageLinks(run, output)
    keys = [k.key for k in all_keys(run)]
    key_index = {k: i for i, k in enumerate(keys)}
    deciding = {key_index[k.key] for k in without_panel_members(all_keys(run))}
    located = [_locate(sample, links) for sample in run.samples]
    wanted = [where[0] for places in located for _, where in places if where is not None]
    thumbs = cache.get_all(wanted)
    images: list[str | None] = []
    image_index: dict[str, int] = {}

    def image(ref: str | None, where: tuple[str, str] | None) -> list[Any] | None:
        if ref is None:
            return None
        if where is None:
            return [None, None, ref]
        path, href = where
        if path not in image_index:
            data = thumbs.get(path)
            image_index[path] = len(images)
            images.append("data:image/jpeg;base64," + base64.b64encode(data).decode() if data else None)
        return [image_index[path], href, ref]

    reasons: dict[str, int] = {}
    dimensions: dict[str, int] = {}
    records = []
    for sample, places in zip(run.samples, located, strict=True):
        *inputs, output, reference = places
        pictures = {"in": [image(*place) for place in inputs], "o": image(*output), "g": image(*reference)}
        records.append(_record(run, sample, key_index, deciding, pictures, reasons, dimensions))
    return {
        "keys": keys,
        "reasons": list(reasons),
        "dimensions": list(dimensions),
        "images": images,
        "samples": records,
        "tasks": sorted({s.task for s in run.samples}),
        "modalities": sorted({s.modality or "unknown" for s in run.samples}),
        "failure_kinds": FAILURE_KINDS,
    }


def _locate(sample: SampleRecord, links: ImageLinks) -> list[tuple[str | None, tuple[str, str] | None]]:
    """(reference, (path, link) or None) of each input image, then the output image, then the reference image."""
    return [
        *((ref, links.input(ref)) for ref in sample.inputs.images),
        (sample.prediction.image, links.output(sample.prediction.image)),
        (sample.inputs.reference_image, links.input(sample.inputs.reference_image)),
    ]


def _record(
    run: LoadedRun,
    sample: SampleRecord,
    key_index: dict[str, int],
    deciding: set[int],
    pictures: dict[str, Any],
    reasons: dict[str, int],
    dimensions: dict[str, int],
) -> dict[str, Any]:
    """One card: short keys keep a page of thousands of samples small (see gallery.js for their meaning).

    Failure reasons and judge dimension names are stored once and referred to by index (one unavailable
    metric repeats its reason on every sample). The sample passes (``ok``) when every ``deciding`` metric
    passes: a panel stands for its judges, and an unavailable metric or one not done decides nothing.
    """
    scores, problems, kinds = [], [], set()
    for key, i in key_index.items():
        outcome, detail = sample.outcome(key)
        if outcome == "scored":
            ok = passed(run, sample, key)
            value = detail if math.isfinite(detail) else None  # type: ignore[arg-type]  (JSON has no NaN)
            scores.append([i, value, None if ok is None else int(ok)])
        elif outcome in ("failed", "not_done"):
            kind = _kind(sample, outcome, str(detail))
            kinds.add(kind)
            problems.append([i, reasons.setdefault(str(detail), len(reasons)), kind])
    if sample.error:
        kinds.add("prediction")
    verdicts = []
    for judge, modes in sample.judges.items():
        for mode, v in modes.items():
            scored = [[dimensions.setdefault(d, len(dimensions)), x] for d, x in v.dimensions.items()]
            told = [[dimensions.setdefault(d, len(dimensions)), x] for d, x in v.explanations.items()]
            verdicts.append([judge, mode, v.overall, scored, v.analysis, told, v.error or v.not_judged])
    flags = [s[2] for s in scores if s[2] is not None and s[0] in deciding]
    flags += [0 for p in problems if p[2] in ("prediction", "scoring") and p[0] in deciding]
    card: dict[str, Any] = {
        "id": sample.id,
        "t": sample.task,
        "m": sample.modality or "unknown",
        "p": sample.prompt,
        "a": sample.prediction.text,
        "r": sample.reference_text,
        **pictures,
        "s": scores,
        "x": problems,
        "k": sorted(kinds),
        "ok": None if not flags else int(all(flags)),
    }
    if sample.error:
        card["e"] = sample.error
    if verdicts:
        card["j"] = verdicts
    return {k: v for k, v in card.items() if v not in (None, [], "")}


def _kind(sample: SampleRecord, outcome: str, why: str) -> str:
    if outcome == "not_done":
        return "not_done"
    if sample.error or why.startswith("prediction failed"):
        return "prediction"
    if why.startswith("metric unavailable"):
        return "unavailable"
    return "scoring"
