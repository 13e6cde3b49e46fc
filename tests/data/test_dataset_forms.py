"""Tasks over datasets in every storage form, run through ``medgen run`` with the oracle and identity models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medgen_core.data.records import RecordFailure
from medgen_core.data.samples import iter_samples, record_counts
from medgen_core.tasks.index import TaskIndex


def run(cli_run, yaml: Path, model: str, out: Path, *extra: str) -> dict:
    res = cli_run("run", "--tasks", yaml, "--model", model, "--output_path", out, "--quiet", *extra)
    assert res.exit_code == 0, res.output
    return json.loads((out / "results.json").read_text())


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize(
    "form, kind",
    [
        ("json", "edit"),
        ("csv", "edit"),
        ("parquet", "edit"),
        ("parquet", "cached"),
        ("imagefolder", "edit"),
        ("folder", "edit"),
    ],
)
def test_image_task_oracle_and_identity(cli_run, forms, facts, tmp_path, form, kind):
    N, GAP = facts["n"], facts["gap"]
    yaml = forms[form][kind]
    name = TaskIndex([]).select([str(yaml)]).tasks[0].name
    oracle = run(cli_run, yaml, "oracle", tmp_path / "oracle")["results"][name]["mean_intensity_gap"]
    identity = run(cli_run, yaml, "identity", tmp_path / "identity")["results"][name]["mean_intensity_gap"]
    assert (oracle["n"], oracle["n_failed"], oracle["mean"]) == (N, 0, 0.0)
    assert (identity["n"], identity["n_failed"], identity["mean"]) == (N, 0, GAP)
    preds = {p["id"]: p for p in lines(tmp_path / "identity" / "predictions.jsonl")}
    assert sorted(preds) == [f"case-{i}" for i in range(N)]
    assert preds["case-2"]["prompt"] == "How many lesions are in case 2?"
    assert preds["case-2"]["modality"] == "ct" and preds["case-2"]["subtask"] == "kidney"


@pytest.mark.parametrize("form, kind", [("json", "vqa"), ("json", "vqa_columns"), ("parquet", "vqa")])
def test_multi_image_vqa_oracle_and_identity(cli_run, forms, facts, tmp_path, form, kind):
    N = facts["n"]
    yaml = forms[form][kind]
    name = TaskIndex([]).select([str(yaml)]).tasks[0].name
    oracle = run(cli_run, yaml, "oracle", tmp_path / "oracle")["results"][name]["length_ratio"]
    identity = run(cli_run, yaml, "identity", tmp_path / "identity")["results"][name]["length_ratio"]
    assert (oracle["n"], oracle["n_failed"], oracle["mean"]) == (N, 0, 1.0)
    assert (identity["n"], identity["n_failed"], identity["mean"]) == (N, 0, 0.0)
    for pred in lines(tmp_path / "oracle" / "predictions.jsonl"):
        assert len(pred["inputs"]) == 2 and pred["text"] == pred["reference_text"]
    assert {p["reference_text"] for p in lines(tmp_path / "oracle" / "predictions.jsonl")} == {
        f"{i + 1} lesions" for i in range(N)
    }


def samples_of(yaml: Path) -> list:
    instance = TaskIndex([]).select([str(yaml)]).tasks[0]
    return list(iter_samples(Path("/nonexistent-data-root"), instance))


def test_every_form_gives_the_same_images(forms):
    """Paths, embedded Image features, List(Image), binary columns and imagefolder structs: the same bytes."""
    reference = samples_of(forms["json"]["edit"])
    for form in ("csv", "parquet", "imagefolder", "folder"):
        got = samples_of(forms[form]["edit"])
        assert [s.id for s in got] == [s.id for s in reference], form
        for a, b in zip(reference, got, strict=True):
            assert [i.read_bytes() for i in a.input_images] == [i.read_bytes() for i in b.input_images], form
            assert a.reference_image.read_bytes() == b.reference_image.read_bytes(), form
            assert b.data_hash and len(b.data_hash) == 64
    embedded = samples_of(forms["parquet"]["vqa"])[0]
    assert embedded.input_images[0].path is None and embedded.input_images[0].ref.endswith(":record 0:scans[0]")
    assert embedded.record["scans"] == ["in_0.png", "in_0_b.png"]  # bytes never reach prompts or logs
    folder = samples_of(forms["imagefolder"]["edit"])[0]
    assert folder.input_images[0].ref == "img/in_0.png" and folder.input_images[0].path.is_file()


def test_filter_and_counts_use_the_mapped_fields(forms, facts):
    N = facts["n"]
    from medgen_core.tasks.spec import SampleFilter

    instance = TaskIndex([]).select([str(forms["json"]["edit"])]).tasks[0]
    ct = type(instance)(instance.spec, instance.path, SampleFilter(modality=["ct"]))
    kidney = type(instance)(instance.spec, instance.path, SampleFilter(subtask=["kidney"]))
    assert record_counts(Path("."), ct) == (N, 2)
    assert [s.id for s in iter_samples(Path("."), ct)] == ["case-0", "case-2"]
    assert [s.id for s in iter_samples(Path("."), kidney)] == ["case-2", "case-3"]


def test_data_hash_covers_record_and_image_bytes(forms, tmp_path):
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(forms["json"]["edit"].parent, folder)
    yaml = folder / "edit.yaml"
    before = {s.id: s.data_hash for s in samples_of(yaml)}
    (folder / "img" / "gt_1.png").write_bytes((folder / "img" / "gt_3.png").read_bytes())
    after = {s.id: s.data_hash for s in samples_of(yaml)}
    assert [k for k in before if before[k] != after[k]] == ["case-1"]  # only the record whose image changed
    text = (folder / "records.jsonl").read_text().replace("case 3?", "case three?")
    (folder / "records.jsonl").write_text(text)
    assert [k for k, v in {s.id: s.data_hash for s in samples_of(yaml)}.items() if v != after[k]] == ["case-3"]
    assert not any(isinstance(s, RecordFailure) for s in samples_of(yaml))


def test_listing_counts_dataset_tasks(cli_run, forms, facts):
    N = facts["n"]
    res = cli_run("ls", "tasks", "--include_path", forms["json"]["edit"].parent)
    row = next(line for line in res.output.splitlines() if "json_edit" in line)
    assert f" {N} " in row and "image" in row


def test_data_hash_does_not_depend_on_where_the_dataset_lies(forms, tmp_path):
    """imagefolder records carry absolute paths; the hash takes them relative to the dataset folder."""
    import shutil

    original = forms["imagefolder"]["edit"]
    moved = shutil.copytree(original.parent, tmp_path / "elsewhere") / original.name
    assert [s.data_hash for s in samples_of(moved)] == [s.data_hash for s in samples_of(original)]
    assert str(tmp_path) in samples_of(moved)[0].input_images[0].path.as_posix()
