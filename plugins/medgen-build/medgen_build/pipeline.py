"""The four-stage build: filter sources, make image pairs, fill text, review; then write the official layout.

Everything is deterministic given the seed: each record draws from its own
generator seeded by (seed, task, record index), files are written in a fixed
order with no timestamps, and PNGs are encoded by one Pillow code path.
"""

from __future__ import annotations

import json
import math
import shutil
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from medgen_build import models, review, templates, vqa
from medgen_build.sources import Source, filter_sources, load_image, load_volume
from medgen_build.tasks import ALL_TASKS, TABLE_IV, VQA_TASKS, Recipe, TaskSpec
from medgen_core import MODALITIES, normalise_modality
from medgen_core.types import MedgenError

DATASET_NAME = "medgen-sample"
DATASET_VERSION = "0.1.0"
GENERATOR = "medgen-build 0.1.0"


@dataclass
class BuildOptions:
    sources: Path
    out: Path
    seed: int = 0
    per_task: int = 10
    max_size: int = 256
    vlm_filter: str | None = None
    llm_augment: str | None = None
    vlm_review: str | None = None
    tasks: tuple[str, ...] | None = None  # None: all 16
    extra_recipes: dict[str, tuple[Recipe, ...]] = field(default_factory=dict)  # task -> more recipes


@dataclass
class BuildReport:
    out: Path
    counts: dict[str, int]
    modalities: dict[str, int]
    rejected_sources: list[dict[str, str]]
    failed_review: list[dict[str, Any]]
    seconds: float


class Context:
    """What the task builders share: options, registry, loaded pixels (cached)."""

    def __init__(self, opts: BuildOptions, sources: list[Source]) -> None:
        from medgen_build.registry import transform_registry

        self.opts = opts
        self.registry = transform_registry()
        self.sources = sources
        self._pixels: dict[str, Any] = {}
        self.skipped: list[dict[str, Any]] = []

    def image(self, s: Source) -> np.ndarray:
        if s.file not in self._pixels:
            self._pixels[s.file] = load_image(self.opts.sources, s, self.opts.max_size)
        return self._pixels[s.file]

    def volume(self, s: Source) -> tuple[np.ndarray, tuple[float, float, float]]:
        if s.file not in self._pixels:
            self._pixels[s.file] = load_volume(self.opts.sources, s)
        return self._pixels[s.file]

    def rng(self, task: str, index: int) -> np.random.Generator:
        return np.random.default_rng([self.opts.seed, zlib.crc32(task.encode()), index])

    def transform(self, name: str) -> dict[str, Any]:
        if name not in self.registry:
            known = ", ".join(sorted(self.registry)) or "none"
            raise MedgenError(f"transform {name!r} is not registered (known: {known}); is its plugin installed?")
        return self.registry[name]


def interleave(sources: list[Source]) -> list[Source]:
    """Round-robin over modalities so the first few picks cover all of them."""
    by_mod = {m: [s for s in sources if s.modality == m] for m in MODALITIES}
    out: list[Source] = []
    for i in range(max((len(v) for v in by_mod.values()), default=0)):
        out.extend(v[i] for v in by_mod.values() if i < len(v))
    return out


# ---------------------------------------------------------------- image tasks


def _eligible(ctx: Context, recipe: Recipe) -> list[tuple[Source, str]]:
    """(source, transform name) pairs a recipe can use: the first candidate transform that fits wins."""
    out = []
    for s in interleave(ctx.sources):
        if recipe.sources is not None and s.file not in recipe.sources:
            continue
        if recipe.modalities is not None and s.modality not in recipe.modalities:
            continue
        for name in recipe.transforms:
            info = ctx.transform(name)
            kind = info.get("input_kind", "image")
            if kind != s.kind or s.modality not in info.get("modalities", MODALITIES):
                continue
            if s.kind == "image" and recipe.channels:
                colour = ctx.image(s).ndim == 3
                if (recipe.channels == "rgb") != colour:
                    continue
            out.append((s, name))
            break
    return out


def _pick(eligible: list, variants: tuple, j: int) -> tuple[Any, dict[str, Any]]:
    """The j-th (source, variant): every combination once before any repeats (CRT walk)."""
    n, m = len(eligible), max(1, len(variants))
    period = n * m // math.gcd(n, m)
    s = eligible[j % n]
    v = variants[(j % m + j // period) % m] if variants else {}
    return s, dict(v)


def _plan(ctx: Context, spec: TaskSpec) -> list[tuple[Recipe, int]]:
    """(recipe, j) per record: groups in order, recipes of a group in turn."""
    plan = []
    groups = list(spec.groups)
    extra = ctx.opts.extra_recipes.get(spec.name)
    for g in groups:
        count = math.ceil(ctx.opts.per_task * g.share)
        recipes = g.recipes
        for k in range(count):
            plan.append((recipes[k % len(recipes)], k // len(recipes)))
    if extra:
        for k in range(ctx.opts.per_task):
            plan.append((extra[k % len(extra)], k // len(extra)))
    return plan


def _to_pil(arr: np.ndarray):
    from PIL import Image

    data = np.rint(np.clip(arr, 0, 255)).astype(np.uint8)
    return Image.fromarray(data, mode="L" if data.ndim == 2 else "RGB")


def _fit(arr: np.ndarray, max_size: int) -> np.ndarray:
    """Shrink an array image so its long side is at most ``max_size`` (transforms may enlarge)."""
    if max(arr.shape[:2]) <= max_size:
        return arr
    from PIL import Image

    img = _to_pil(arr)
    scale = max_size / max(img.size)
    img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))), Image.Resampling.LANCZOS)
    return np.asarray(img, np.float32)


def _make_pair(ctx: Context, spec: TaskSpec, recipe: Recipe, eligible: list, j: int, index: int):
    """Run the recipe's transform on the j-th source; a source the rule cannot handle passes to the next one."""
    errors = []
    for attempt in range(len(eligible)):
        source, name = eligible[(j + attempt) % len(eligible)]
        _, params = _pick(eligible, recipe.params.get(name, ()), j)
        info = ctx.transform(name)
        rng = ctx.rng(spec.name, index)
        try:
            if source.kind == "volume":
                vol, spacing = ctx.volume(source)
                call = {**params, "spacing": list(spacing), "size": ctx.opts.max_size}
                pair = info["fn"](vol, rng, **call)
            else:
                call = params
                pair = info["fn"](ctx.image(source), rng, **call)
        except ValueError as exc:  # the rule does not apply to this image (e.g. an empty region)
            errors.append(f"{source.file}: {exc}")
            ctx.skipped.append(
                {"task": spec.name, "index": index, "transform": name, "source": source.file, "reason": str(exc)}
            )
            continue
        return source, name, call, pair, info
    raise MedgenError(f"task {spec.name} record {index}: no eligible source worked: {'; '.join(errors)}")


def build_image_task(ctx: Context, spec: TaskSpec, task_dir: Path) -> list[dict[str, Any]]:
    records = []
    cache: dict[int, list] = {}
    for index, (recipe, j) in enumerate(_plan(ctx, spec)):
        if id(recipe) not in cache:
            found = _eligible(ctx, recipe)
            shift = zlib.crc32(spec.name.encode()) % max(1, len(found))  # tasks start on different sources
            cache[id(recipe)] = found[shift:] + found[:shift]
        eligible = cache[id(recipe)]
        if not eligible:
            raise MedgenError(
                f"task {spec.name}: no source fits recipe {recipe.transforms} "
                f"(modalities {recipe.modalities}, channels {recipe.channels})"
            )
        source, name, call, pair, info = _make_pair(ctx, spec, recipe, eligible, j, index)
        inp, tgt = _fit(pair.input, ctx.opts.max_size), _fit(pair.target, ctx.opts.max_size)
        stem = f"images/{index:04d}"
        files = {f"{stem}_input.png": inp, f"{stem}_target.png": tgt}
        if pair.mask is not None:
            files[f"{stem}_mask.png"] = _fit(pair.mask.astype(np.float32), ctx.opts.max_size)
        for rel, arr in files.items():
            _save(task_dir / rel, arr)
        instruction, answer = templates.image_task_text(spec.name, source, pair.meta, info, tgt.shape)
        record = _record(
            spec, index, source, instruction, answer, recipe, [f"{stem}_input.png"], [f"{stem}_target.png"]
        )
        if pair.mask is not None:
            record["mask_image"] = [f"{stem}_mask.png"]
        record["build"] = {
            "source_file": source.file,
            "transform": name,
            "plugin": info.get("plugin"),
            "family": info.get("family"),
            "params": _jsonable(call),
            "resolved": _jsonable(pair.meta.get("params", {})),
            "seed": [ctx.opts.seed, spec.name, index],
            "max_size": ctx.opts.max_size,
            "text": {"method": "template", "template": spec.name},
        }
        records.append(record)
    return records


# ---------------------------------------------------------------- VQA tasks


def _series(ctx: Context) -> list[list[Source]]:
    groups: dict[str, list[Source]] = {}
    for s in ctx.sources:
        if s.kind == "image" and s.facts.get("series"):
            groups.setdefault(s.facts["series"], []).append(s)
    return [g[:3] for _, g in sorted(groups.items()) if len(g) >= 2]


def _volume_slices(ctx: Context, s: Source) -> tuple[list[np.ndarray], list[int]]:
    from medgen_build.transforms.projection import _resample

    vol, spacing = ctx.volume(s)
    idx = [int(round(f * (vol.shape[0] - 1))) for f in (0.15, 0.5, 0.9)]
    return [_resample(vol[i], spacing[1:], ctx.opts.max_size) for i in idx], idx


def _multi_questions(ctx: Context, rng: np.random.Generator, k: int, as_mc: bool) -> vqa.Question | None:
    options: list = [("series", g) for g in _series(ctx)] + [("volume", s) for s in ctx.sources if s.kind == "volume"]
    if not options:
        return None
    kind, item = options[k % len(options)]
    if kind == "series":
        return vqa.darkest_frame([(s, ctx.image(s)) for s in item], rng, as_mc)
    slices, idx = _volume_slices(ctx, item)
    return vqa.largest_section(slices, item, idx, rng, as_mc)


def build_vqa_task(ctx: Context, spec: TaskSpec, task_dir: Path) -> list[dict[str, Any]]:
    images = interleave([s for s in ctx.sources if s.kind == "image"])
    shift = zlib.crc32(spec.name.encode()) % len(images)
    images = images[shift:] + images[:shift]
    n_multi = 2 if spec.name in ("multiple_choice", "question_answering") else 0
    records = []
    for index in range(ctx.opts.per_task):
        rng = ctx.rng(spec.name, index)
        multi = index >= ctx.opts.per_task - n_multi
        q = _multi_questions(ctx, rng, index, spec.name == "multiple_choice") if multi else None
        if q is None:
            source = images[index % len(images)]
            img = ctx.image(source)
            kinds = vqa.kinds_for(source, img)
            kind = kinds[(index + index // len(images)) % len(kinds)]
            if spec.name == "multiple_choice":
                q = vqa.multiple_choice(source, img, kind, rng)
            elif spec.name == "blank_filling":
                q = vqa.blank_filling(source, img, kind, rng)
            elif spec.name == "report_generation":
                q = vqa.report(source, img, rng)
            else:
                q = vqa.open_question(source, img, index, rng)
        source = next(s for s in ctx.sources if s.file == q.image_sources[0])
        rels = (
            [f"images/{index:04d}_input.png"]
            if len(q.images) == 1
            else [f"images/{index:04d}_input{i + 1}.png" for i in range(len(q.images))]
        )
        for rel, arr in zip(rels, q.images, strict=True):
            _save(task_dir / rel, arr)
        record = _record(spec, index, source, q.instruction, q.answer, None, rels, [])
        if q.choice is not None:
            record["choice"] = q.choice
        record["observed_subtask"] = q.kind.replace("_", " ")
        record["build"] = {
            "source_file": source.file,
            "source_files": q.image_sources,
            "transform": None,
            "question_kind": q.kind,
            "facts": _jsonable(q.facts),
            "seed": [ctx.opts.seed, spec.name, index],
            "max_size": ctx.opts.max_size,
            "text": {"method": "template", "template": f"{spec.name}:{q.kind}"},
        }
        records.append(record)
    return records


# ---------------------------------------------------------------- records and files


def _record(
    spec: TaskSpec,
    index: int,
    source: Source,
    instruction: str,
    answer: Any,
    recipe: Recipe | None,
    inputs: list[str],
    targets: list[str],
) -> dict[str, Any]:
    return {
        "id": f"{spec.paper_task}-{index:04d}",
        "category": spec.category,
        "sub-category": spec.sub_category,
        "modality": source.facts.get("modality_text") or source.modality,
        "in-out": spec.in_out,
        "source": source.provenance,
        "instruction": instruction,
        "answer": answer,
        "paper_format": spec.paper_format,
        "paper_task": spec.paper_task,
        "paper_subtask": recipe.paper_subtask if recipe else None,
        "observed_subtask": (recipe.observed_subtask if recipe else "") or spec.sub_category.lower(),
        "input_image": inputs,
        "ground_truth_image": targets,
    }


def _save(path: Path, arr: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _to_pil(arr).save(path, format="PNG", optimize=False, compress_level=9)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (np.floating, float)):
        return round(float(value), 4)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False)


def _prepare_out(out: Path) -> Path:
    """A fresh staging folder beside ``out``; ``out`` itself must be empty or an earlier build."""
    if out.exists() and any(out.iterdir()):
        manifest = out / "manifest.json"
        try:
            generator = json.loads(manifest.read_text(encoding="utf-8")).get("build", {}).get("generator", "")
        except (OSError, json.JSONDecodeError):
            generator = ""
        if not generator.startswith("medgen-build"):
            raise MedgenError(f"{out} is not empty and is not an earlier medgen build; refusing to overwrite it")
    staging = out.with_name(out.name + ".building")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def build(opts: BuildOptions) -> BuildReport:
    """Run the four stages and write the dataset to ``opts.out`` (replacing an earlier build there)."""
    start = time.perf_counter()
    opts.sources, opts.out = Path(opts.sources), Path(opts.out)
    wanted = opts.tasks or tuple(ALL_TASKS)
    unknown = [t for t in wanted if t not in ALL_TASKS]
    if unknown:
        raise MedgenError(f"unknown task(s) {unknown}; known: {', '.join(ALL_TASKS)}")
    if opts.per_task < 1 or opts.max_size < 32:
        raise MedgenError("per_task must be >= 1 and max_size >= 32")
    flt = filter_sources(opts.sources, vlm_filter=models.vlm_filter(opts.vlm_filter) if opts.vlm_filter else None)
    if not flt.kept:
        raise MedgenError(f"{opts.sources}: no source passed the filter ({len(flt.rejected)} rejected)")
    ctx = Context(opts, flt.kept)
    staging = _prepare_out(opts.out)
    per_task: dict[str, list[dict[str, Any]]] = {}
    dirs: dict[str, Path] = {}
    for name in ALL_TASKS:
        if name not in wanted:
            continue
        spec = ALL_TASKS[name]
        dirs[name] = staging / spec.folder
        dirs[name].mkdir(parents=True, exist_ok=True)
        builder = build_vqa_task if name in VQA_TASKS else build_image_task
        per_task[name] = builder(ctx, spec, dirs[name])
    every = [r for recs in per_task.values() for r in recs]
    if opts.llm_augment:
        models.llm_augment(opts.llm_augment, every)
    for name, recs in per_task.items():
        for r in recs:
            r["review"] = review.automatic_review(r, dirs[name], opts.max_size)
    if opts.vlm_review:
        models.vlm_review(opts.vlm_review, every, [dirs[n] for n, recs in per_task.items() for _ in recs])
    failed = [{"id": r["id"], "failed": r["review"]["failed"]} for r in every if r["review"]["status"] != "passed"]
    kept = {n: [r for r in recs if r["review"]["status"] == "passed"] for n, recs in per_task.items()}
    _drop_images(per_task, kept, dirs)
    manifest = _write(staging, kept, opts, flt, failed, ctx.skipped)
    if opts.out.exists():
        shutil.rmtree(opts.out)
    staging.rename(opts.out)
    counts = {n: len(r) for n, r in kept.items()}
    return BuildReport(opts.out, counts, manifest["modalities"], flt.rejected, failed, time.perf_counter() - start)


def _drop_images(all_recs, kept, dirs) -> None:
    """Delete the files of records that failed review, so the folder holds only what data.jsonl names."""
    for name, recs in all_recs.items():
        keep_ids = {r["id"] for r in kept[name]}
        for r in recs:
            if r["id"] not in keep_ids:
                for rel in [*r["input_image"], *r["ground_truth_image"], *r.get("mask_image", [])]:
                    (dirs[name] / rel).unlink(missing_ok=True)


def _write(
    root: Path, kept: dict[str, list[dict[str, Any]]], opts: BuildOptions, flt, failed, skipped: list[dict[str, Any]]
) -> dict[str, Any]:
    tasks: dict[str, Any] = {}
    totals: dict[str, int] = {}
    for name, recs in kept.items():
        spec = ALL_TASKS[name]
        folder = root / spec.folder
        with (folder / "data.jsonl").open("w", encoding="utf-8", newline="\n") as handle:
            for r in recs:
                handle.write(_dump(r) + "\n")
        mods: dict[str, int] = {}
        subtasks: dict[str, int] = {}
        for r in recs:
            m = normalise_modality(r["modality"])
            mods[m] = mods.get(m, 0) + 1
            totals[m] = totals.get(m, 0) + 1
            key = r["paper_subtask"] or "(none)"
            subtasks[key] = subtasks.get(key, 0) + 1
        entry = {
            "format": spec.format_dir,
            "task": spec.paper_task,
            "task_name": name,
            "category": spec.category,
            "in-out": spec.in_out,
            "record_count": len(recs),
            "modalities": dict(sorted(mods.items())),
            "paper_subtasks": dict(sorted(subtasks.items())),
        }
        (folder / "task_manifest.json").write_text(_dump(entry) + "\n", encoding="utf-8")
        tasks[spec.folder] = {k: v for k, v in entry.items() if k not in ("format", "task")}
    manifest = {
        "name": DATASET_NAME,
        "version": DATASET_VERSION,
        "description": "A small sample built by medgen-build from permissively licensed real medical images "
        "with rule-based transforms and templates; not the official MedGEN-Bench data.",
        "table_iv": TABLE_IV,
        "tasks": tasks,
        "modalities": dict(sorted(totals.items())),
        "validation": {"actual_record_count": sum(len(r) for r in kept.values())},
        "build": {
            "generator": GENERATOR,
            "seed": opts.seed,
            "per_task": opts.per_task,
            "max_size": opts.max_size,
            "stage1_filter": {
                "rules": flt.rules,
                "kept": [s.file for s in flt.kept],
                "rejected": flt.rejected,
                "vlm_filter": opts.vlm_filter,
            },
            "stage2_pairs": {
                "method": "rule-based transforms from the medgen transform registry (see each record's build field)",
                "skipped": skipped,
            },
            "stage3_text": {
                "method": "templates filled with source facts and transform parameters",
                "llm_augment": opts.llm_augment,
            },
            "stage4_review": {
                "automatic": True,
                "vlm_review": opts.vlm_review,
                "failed": failed,
                "expert_review": "not performed",
            },
        },
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest
