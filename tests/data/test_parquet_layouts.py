"""The hub's later Parquet layout of the release (BENCHMARK.md "Official data layout"), read as the JSONL is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medgen_core.data.choices import options_in_text
from medgen_core.data.records import RecordFailure
from medgen_core.data.samples import count_check, iter_samples, record_counts
from medgen_core.paths import builtin_task_dir
from medgen_core.tasks.index import TaskIndex, TaskInstance

CONFIGS = {"VQA": "vqa", "ImageEditing": "image_editing", "MultimodalGeneration": "multimodal_generation"}
MC_OPTIONS = "\nA. pneumothorax\nB. normal study\nC. fracture\nD. effusion"


def later_layout(src: Path, dst: Path) -> Path:
    """``<config>/train-00000-of-00001.parquet`` in the documented columns: ``input_images`` / ``output_images``
    as lists of Image features, ``task`` / ``subtask``, empty editing answers, no ``id``. The editing config has
    no ``paper_task`` / ``paper_subtask`` (only ``task`` / ``subtask``); one MC row has its options only in the
    instruction."""
    import datasets

    for fmt, config in CONFIGS.items():
        rows = []
        for data in sorted((src / fmt).glob("*/data.jsonl")):
            for n, line in enumerate(data.read_text().splitlines()):
                rec = json.loads(line)
                answer = rec["answer"]
                row = {
                    "input_images": [{"bytes": (data.parent / p).read_bytes(), "path": p} for p in rec["input_image"]],
                    "output_images": [
                        {"bytes": (data.parent / p).read_bytes(), "path": p} for p in rec["ground_truth_image"]
                    ],
                    "instruction": rec["instruction"],
                    "answer": ""
                    if fmt == "ImageEditing"
                    else json.dumps(answer)
                    if isinstance(answer, dict)
                    else answer,
                    "choice": rec.get("choice"),
                    "task": rec["paper_task"],
                    "subtask": rec["paper_subtask"],
                    **{k: rec[k] for k in ("modality", "category", "sub-category", "paper_format", "source")},
                    "paper_task": rec["paper_task"],
                    "paper_subtask": rec["paper_subtask"],
                    "observed_subtask": rec["observed_subtask"],
                }
                if rec["paper_task"] == "multiple-choice" and n == 0:
                    row["instruction"] += MC_OPTIONS
                    row["choice"] = None
                if fmt == "ImageEditing":
                    del row["paper_task"], row["paper_subtask"]
                rows.append(row)
        table = {key: [r[key] for r in rows] for key in rows[0]}
        features = datasets.Features(
            {
                "input_images": datasets.List(datasets.Image()),
                "output_images": datasets.List(datasets.Image()),
                "choice": datasets.List(datasets.Value("string")),
                **{
                    k: datasets.Value("string") for k in rows[0] if k not in ("input_images", "output_images", "choice")
                },
            }
        )
        path = dst / config / "train-00000-of-00001.parquet"
        datasets.Dataset.from_dict(table, features=features).to_parquet(str(path))
    (dst / "manifest.json").write_text((src / "manifest.json").read_text())
    return dst


@pytest.fixture(scope="module")
def later(minidata_root, tmp_path_factory) -> Path:
    return later_layout(minidata_root, tmp_path_factory.mktemp("later"))


@pytest.fixture(scope="module")
def index():
    return TaskIndex([builtin_task_dir()])


def test_every_official_task_loads_from_the_later_layout(index, minidata_root, later):
    for name, (spec, path) in sorted(index.tasks.items()):
        instance = TaskInstance(spec, path)
        a, b = list(iter_samples(minidata_root, instance)), list(iter_samples(later, instance))
        assert not [f.message for f in b if isinstance(f, RecordFailure)], name
        lines = [f"{int(s.source.rsplit(':', 1)[1]):06d}" for s in a]  # no id column: rows go by position
        assert [s.id for s in b] == lines and b, name
        for x, y in zip(a, b, strict=True):
            assert [i.read_bytes() for i in x.input_images] == [i.read_bytes() for i in y.input_images], name
            assert (x.reference_image and x.reference_image.read_bytes()) == (
                y.reference_image and y.reference_image.read_bytes()
            ), name
            assert (x.choices, x.modality, x.subtask, x.format) == (y.choices, y.modality, y.subtask, y.format), name
            if spec.output_type != "image" and name != "report_generation":
                assert x.answer == y.answer, name
        assert record_counts(later, instance) == record_counts(minidata_root, instance), name
        assert count_check(later, instance) is None, name
    vqa = list(iter_samples(later, TaskInstance(*index.tasks["multiple_choice"])))
    assert len(vqa[1].input_images) == 2 and vqa[1].input_images[0].path is None  # multi-image, embedded
    assert vqa[0].choices == ["pneumothorax", "normal study", "fracture", "effusion"]  # read from the instruction


def test_manifest_count_is_checked_on_the_later_layout(index, later, tmp_path):
    import shutil

    root = shutil.copytree(later, tmp_path / "copy")
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["tasks"]["VQA/multiple-choice"]["record_count"] = 300
    (root / "manifest.json").write_text(json.dumps(manifest))
    instance = TaskInstance(*index.tasks["multiple_choice"])
    assert count_check(root, instance) == (
        "task 'multiple_choice' (VQA/multiple-choice): manifest.json says 300 records, the Parquet files hold 3"
    )


def test_runs_on_the_later_layout_send_images_and_score_references(cli_run, testkit, later, tmp_path):
    res = cli_run(
        "run",
        "--tasks",
        "kit_vqa,kit_edit,kit_gen",
        "--include_path",
        testkit,
        "--model",
        "oracle",
        "--data_root",
        later,
        "--output_path",
        tmp_path / "run",
        "--quiet",
    )
    assert res.exit_code == 0, res.output
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["results"]["kit_edit"]["mean_intensity_gap"] == pytest.approx(
        {**results["results"]["kit_edit"]["mean_intensity_gap"], "n": 3, "n_failed": 0, "mean": 0.0}
    )
    assert results["results"]["kit_gen"]["mean_intensity_gap"]["n_failed"] == 0
    assert results["results"]["kit_vqa"]["length_ratio"]["mean"] == 1.0
    preds = [json.loads(line) for line in (tmp_path / "run" / "predictions.jsonl").read_text().splitlines()]
    assert all(p["inputs"] for p in preds) and not any(p.get("error") for p in preds)


@pytest.mark.parametrize(
    "text, options",
    [
        ("Which finding?\nA. pneumothorax\nB. normal study\nC. fracture", ["pneumothorax", "normal study", "fracture"]),
        ("Which finding? (A) left; (B) right; (C) both", ["left", "right", "both"]),
        (
            "Vitamin A. deficiency shows? A) night blindness B) rickets\nAnswer with a letter.",
            ["night blindness", "rickets"],
        ),
        ("A. only one option", None),
        ("Describe the image.", None),
        ("Options: A. x B. y C. z, then D. is unrelated", ["x", "y", "z, then", "is unrelated"]),
        (None, None),
    ],
)
def test_options_in_an_instruction(text, options):
    assert options_in_text(text) == options
