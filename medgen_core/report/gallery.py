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
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from medgen_core.report.tables import all_keys, passed
from medgen_core.report.thumbnails import ThumbnailCache
from medgen_core.results import LoadedRun, SampleRecord

FAILURE_KINDS = {
    "prediction": "prediction failed",
    "scoring": "a metric or judge failed",
    "unavailable": "metric unavailable",
    "not_done": "not done (budget, or not yet)",
}


class ImageLinks:
    """Where each image of the run is on disk, and how the report file links to it."""

    def __init__(self, run: LoadedRun, output: Path | None) -> None:
        self.run_dir = run.folder.resolve()
        root = run.results.config.data_root
        self.data_root = Path(root).resolve() if root else None
        self.base = output.resolve().parent if output is not None else None

    def input_path(self, ref: str | None) -> Path | None:
        if not ref or self.data_root is None or ":" in ref:  # "file.parquet:..." images live inside Parquet
            return None
        return self.data_root / ref

    def output_path(self, ref: str | None) -> Path | None:
        return self.run_dir / ref if ref else None

    def href(self, path: Path) -> str:
        if self.base is None:
            return path.as_uri()
        try:
            return quote(Path(os.path.relpath(path, self.base)).as_posix())
        except ValueError:  # another drive (Windows): no relative path
            return path.as_uri()


def gallery_data(run: LoadedRun, output: Path | None, cache: ThumbnailCache) -> dict[str, Any]:
    links = ImageLinks(run, output)
    keys = [k.key for k in all_keys(run)]
    key_index = {k: i for i, k in enumerate(keys)}
    wanted: list[Path] = []
    for sample in run.samples:
        for path in _image_paths(sample, links):
            if path is not None:
                wanted.append(path)
    thumbs = cache.get_all(wanted)
    images: list[str | None] = []
    image_index: dict[Path, int] = {}

    def image(ref: str | None, path: Path | None) -> list[Any] | None:
        if ref is None:
            return None
        if path is None:
            return [None, None, ref]
        if path not in image_index:
            data = thumbs.get(path)
            image_index[path] = len(images)
            images.append("data:image/jpeg;base64," + base64.b64encode(data).decode() if data else None)
        return [image_index[path], links.href(path), ref]

    reasons: dict[str, int] = {}
    records = [_record(run, s, key_index, links, image, reasons) for s in run.samples]
    return {
        "keys": keys,
        "reasons": list(reasons),
        "images": images,
        "samples": records,
        "tasks": sorted({s.task for s in run.samples}),
        "modalities": sorted({s.modality or "unknown" for s in run.samples}),
        "failure_kinds": FAILURE_KINDS,
    }


def _image_paths(sample: SampleRecord, links: ImageLinks) -> list[Path | None]:
    return [
        *(links.input_path(ref) for ref in sample.inputs.images),
        links.input_path(sample.inputs.reference_image),
        links.output_path(sample.prediction.image),
    ]


def _record(
    run: LoadedRun,
    sample: SampleRecord,
    key_index: dict[str, int],
    links: ImageLinks,
    image: Any,
    reasons: dict[str, int],
) -> dict[str, Any]:
    """One card: short keys keep a page of thousands of samples small (see gallery.js for their meaning).

    A failure's reason is stored once in ``reasons`` (one unavailable metric repeats it on every sample).
    """
    scores, problems, kinds = [], [], set()
    for key, i in key_index.items():
        outcome, detail = sample.outcome(key)
        if outcome == "scored":
            ok = passed(run, sample, key)
            scores.append([i, detail, None if ok is None else int(ok)])
        elif outcome in ("failed", "not_done"):
            kind = _kind(sample, outcome, str(detail))
            kinds.add(kind)
            problems.append([i, reasons.setdefault(str(detail), len(reasons)), kind])
    if sample.error:
        kinds.add("prediction")
    verdicts = [
        [judge, mode, v.overall, v.dimensions, v.analysis, v.explanations, v.error or v.not_judged]
        for judge, modes in sample.judges.items()
        for mode, v in modes.items()
    ]
    flags = [s[2] for s in scores if s[2] is not None] + [0 for p in problems if p[2] != "not_done"]
    card: dict[str, Any] = {
        "id": sample.id,
        "t": sample.task,
        "m": sample.modality or "unknown",
        "p": sample.prompt,
        "a": sample.prediction.text,
        "r": sample.reference_text,
        "in": [image(ref, links.input_path(ref)) for ref in sample.inputs.images],
        "o": image(sample.prediction.image, links.output_path(sample.prediction.image)),
        "g": image(sample.inputs.reference_image, links.input_path(sample.inputs.reference_image)),
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
