"""Bad datasets and bad mappings: per-record failures naming record, key, task and column, or one clear error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from dataset_forms import base_records, grey, task_yaml, write_jsonl

from medgen_core.data.records import RecordFailure
from medgen_core.data.samples import iter_samples, record_counts
from medgen_core.tasks.index import TaskIndex

KEYS = {"doc_to_id": "uid", "doc_to_reference_image": "target", "doc_to_image": "scan"}
JSONL = "dataset_path: json\ndataset_kwargs:\n  data_files: {test: data/records.jsonl}"


def instance_of(yaml: Path):
    return TaskIndex([]).select([str(yaml)]).tasks[0]


def struct_task(folder: Path, name: str, data: str) -> Path:
    """An image task over a dataset with ids ``uid``, prompts ``q`` and images ``scan`` (input and reference)."""
    keys = {"doc_to_id": "uid", "doc_to_text": "{{ q }}", "doc_to_image": "scan", "doc_to_reference_image": "scan"}
    return task_yaml(folder / "t.yaml", name, "image", data, **keys)


def items_of(yaml: Path) -> dict:
    return {item.id: item for item in iter_samples(Path("."), instance_of(yaml))}


@pytest.fixture
def bad_jsonl(tmp_path: Path) -> Path:
    """Four good records, then one bad record per rule (paths out of the folder, missing files, ...)."""
    data = tmp_path / "ds" / "data"
    records = base_records(data)
    for r in records:
        r["notes"] = "none"
    grey(tmp_path / "outside.png", 9)
    os.symlink(tmp_path / "outside.png", data / "img" / "link.png")
    bad = {
        "absolute": {"scan": "/etc/passwd"},
        "dotdot": {"scan": "../../outside.png"},
        "symlink": {"scan": "img/link.png"},
        "missing": {"scan": "img/nothere.png"},
        "notes-null": {"notes": None},
        "case-0": {},  # a duplicate id
    }
    records += [{**records[0], "uid": uid, **change} for uid, change in bad.items()]
    write_jsonl(data / "records.jsonl", records)
    return tmp_path / "ds"


def test_bad_records_are_failures_naming_record_key_task_and_column(bad_jsonl):
    yaml = task_yaml(bad_jsonl / "bad.yaml", "bad_edit", "image", JSONL, doc_to_text="{{ question }}", **KEYS)
    items = items_of(yaml)
    data = bad_jsonl / "data" / "records.jsonl"
    where = f"key 'doc_to_image' of task 'bad_edit' ({yaml}), column 'scan'[0]: "
    expect = {
        "absolute": (4, "absolute image path '/etc/passwd' is not allowed"),
        "dotdot": (5, "image path '../../outside.png' leaves the task folder"),
        "symlink": (6, "image path 'img/link.png' resolves outside the task folder"),
        "missing": (7, "image file not found: 'img/nothere.png'"),
    }
    for uid, (index, message) in expect.items():
        failure = items[uid]
        assert isinstance(failure, RecordFailure), uid
        assert failure.message.startswith(f"{data}:record {index}: {where}{message}"), failure.message
    duplicate = items["case-0#000009"]
    assert isinstance(duplicate, RecordFailure) and "duplicate sample id 'case-0'" in duplicate.message
    good = [i for i in items.values() if not isinstance(i, RecordFailure)]
    assert len(good) == 5  # four originals and notes-null (its notes are not used here)


def test_template_error_is_a_failure_naming_the_key(bad_jsonl):
    yaml = task_yaml(
        bad_jsonl / "tpl.yaml", "tpl_edit", "image", JSONL, doc_to_text="{{ question }} ({{ notes.strip() }})", **KEYS
    )
    failure = items_of(yaml)["notes-null"]
    data = bad_jsonl / "data" / "records.jsonl"
    assert isinstance(failure, RecordFailure)
    assert failure.message.startswith(f"{data}:record 8: key 'doc_to_text' of task 'tpl_edit' ({yaml}): template: ")
    assert "'None' has no attribute 'strip'" in failure.message and "(columns: uid, question," in failure.message
    assert items_of(yaml)["case-1"].instruction == "How many lesions are in case 1? (none)"


def test_wrong_image_type_and_template_paths(bad_jsonl):
    yaml = task_yaml(
        bad_jsonl / "t.yaml",
        "type_edit",
        "image",
        JSONL,
        doc_to_text="{{ question }}",
        doc_to_id="uid",
        doc_to_image="{{ scan }}",
        doc_to_reference_image="organ",
    )
    failure = items_of(yaml)["case-1"]
    assert isinstance(failure, RecordFailure)
    assert "key 'doc_to_reference_image' of task 'type_edit'" in failure.message
    assert "column 'organ'[0]: image file not found: 'liver'" in failure.message
    data = bad_jsonl / "data" / "records.jsonl"
    lines = [json.loads(line) for line in data.read_text().splitlines()]
    write_jsonl(data, [{**r, "target": 7, "targets": [7]} for r in lines[:4]])
    yaml = task_yaml(bad_jsonl / "t2.yaml", "type2", "image", JSONL, doc_to_text="{{ question }}", **KEYS)
    assert items_of(yaml)["case-2"].message.endswith("column 'target': expected an image or a list of images, got int")
    yaml = task_yaml(
        bad_jsonl / "t3.yaml",
        "type3",
        "image",
        JSONL,
        doc_to_text="{{ question }}",
        **{**KEYS, "doc_to_image": "targets"},
    )
    message = items_of(yaml)["case-2"].message
    assert message.endswith("column 'targets'[0]: expected image bytes, an image struct or a relative path, got int")


def test_image_struct_paths_stay_inside_the_dataset(tmp_path):
    """Image features stored as paths only: inside the dataset folder they load; out of it, or remote, they fail."""
    import datasets

    folder = tmp_path / "ds"
    grey(folder / "img" / "ok.png", 50)
    grey(tmp_path / "outside.png", 60)
    paths = [
        "img/ok.png",
        str(tmp_path / "outside.png"),
        "../outside.png",
        "hf://datasets/x/y/a.png",
        str(folder / "img" / "ok.png"),
    ]
    rows = {"uid": [f"r{i}" for i in range(5)], "q": ["q"] * 5, "scan": [{"bytes": None, "path": p} for p in paths]}
    features = datasets.Features(
        {"uid": datasets.Value("string"), "q": datasets.Value("string"), "scan": datasets.Image()}
    )
    import pyarrow.parquet as pq

    table = datasets.Dataset.from_dict(rows, features=features).data.table  # keeps the Image feature metadata
    pq.write_table(table, folder / "data.parquet")
    data = "dataset_path: parquet\ndataset_kwargs:\n  data_files: {test: data.parquet}"
    yaml = struct_task(folder, "structs", data)
    items = items_of(yaml)
    assert not isinstance(items["r0"], RecordFailure) and items["r0"].input_images[0].ref == "img/ok.png"
    assert not isinstance(items["r4"], RecordFailure)  # absolute, but inside the dataset folder
    assert "resolves outside the dataset folder" in items["r1"].message
    assert "resolves outside the dataset folder" in items["r2"].message
    assert "is a remote file; medgen reads only local files" in items["r3"].message


def test_bad_input_run_completes_and_counts(cli_run, bad_jsonl, tmp_path):
    yaml = task_yaml(bad_jsonl / "bad.yaml", "bad_edit", "image", JSONL, doc_to_text="{{ question }}", **KEYS)
    run = tmp_path / "run"
    res = cli_run("run", "--tasks", yaml, "--model", "oracle", "--output_path", run, "--quiet")
    assert res.exit_code == 0, res.output
    results = json.loads((run / "results.json").read_text())
    metric = results["results"]["bad_edit"]["mean_intensity_gap"]
    assert (metric["n"], metric["n_failed"], metric["mean"]) == (10, 5, 0.0)
    errors = {s["id"]: s["error"] for s in map(json.loads, (run / "samples.jsonl").read_text().splitlines())}
    assert "absolute image path '/etc/passwd'" in errors["absolute"] and errors["case-1"] is None


@pytest.mark.parametrize(
    "data, keys, message",
    [
        (
            JSONL,
            {**KEYS, "doc_to_text": "{{ question }}", "doc_to_target": "answr"},
            "key 'doc_to_target': no column 'answr' in {data} (columns: uid, question, answer,",
        ),
        (
            JSONL,
            {"doc_to_text": "{{ question }}", "doc_to_image": "scan"},
            "key 'doc_to_reference_image' is not set and {data} has no 'ground_truth_image' column",
        ),
        (JSONL, {**KEYS}, "key 'doc_to_text' is not set and {data} has no 'instruction' column"),
        (
            JSONL + "\ntest_split: validation",
            {**KEYS, "doc_to_text": "{{ question }}"},
            "key 'test_split': Bad split: validation. Available splits: ['test']",
        ),
        ("dataset_path: json", KEYS, "key 'dataset_kwargs': loader 'json' needs data_files or data_dir"),
        (
            "dataset_path: json\ndataset_kwargs: {data_files: nothing/*.jsonl}",
            KEYS,
            "key 'dataset_kwargs': no data file matches {root}/nothing/*.jsonl",
        ),
        ("dataset_path: ./nowhere", KEYS, "key 'dataset_path': no such folder: {root}/nowhere"),
        ("dataset_path: someone/no-such-dataset", KEYS, "cannot load dataset hub:someone/no-such-dataset ("),
    ],
)
def test_task_level_errors_stop_before_any_model_call(cli_run, bad_jsonl, tmp_path, data, keys, message):
    yaml = task_yaml(bad_jsonl / "t.yaml", "stop", "image", data, **keys)
    res = cli_run("run", "--tasks", yaml, "--model", "counting", "--output_path", tmp_path / "run", "--quiet")
    assert res.exit_code == 2
    expected = message.format(data=bad_jsonl / "data" / "records.jsonl", root=bad_jsonl)
    assert f"error: task 'stop' ({yaml}): {expected}" in " ".join(res.output.split()), res.output
    assert (
        not (tmp_path / "run" / "predictions.jsonl").exists()
        or not (tmp_path / "run" / "predictions.jsonl").read_text()
    )


def test_data_root_never_redirects_a_dataset_task(cli_run, testkit, bad_jsonl, minidata_root, tmp_path):
    yaml = task_yaml(bad_jsonl / "ok.yaml", "ok_edit", "image", JSONL, doc_to_text="{{ question }}", **KEYS)
    common = ["--model", "oracle", "--data_root", minidata_root, "--quiet", "--include_path", testkit]
    res = cli_run("run", "--tasks", yaml, *common, "--output_path", tmp_path / "a")
    assert res.exit_code == 2
    message = " ".join(res.output.split())
    assert "--data_root" in message and "no selected task reads the MedGEN-Bench layout" in message
    res = cli_run("run", "--tasks", f"{yaml},kit_edit", *common, "--output_path", tmp_path / "b")
    assert res.exit_code == 0, res.output
    results = json.loads((tmp_path / "b" / "results.json").read_text())
    assert results["n_samples"]["ok_edit"]["total"] == 10 and results["n_samples"]["kit_edit"]["total"] == 3
    assert any("task 'ok_edit' reads its own dataset_path 'json'" in w for w in results["config"]["warnings"])


def test_counting_pass_reads_no_image_column(bad_jsonl, tmp_path):
    import datasets

    folder = tmp_path / "pq"
    rows = {
        "uid": ["a", "b"],
        "q": ["x", "y"],
        "modality": ["CT", "MRI"],
        "scan": [{"bytes": b"\x89PNG junk", "path": None}] * 2,
    }
    features = datasets.Features(
        {k: datasets.Value("string") for k in ("uid", "q", "modality")} | {"scan": datasets.Image()}
    )
    datasets.Dataset.from_dict(rows, features=features).to_parquet(str(folder / "d.parquet"))
    data = "dataset_path: parquet\ndataset_kwargs:\n  data_files: {test: d.parquet}\nfilter: {modality: mri}"
    yaml = struct_task(folder, "count", data)
    assert record_counts(Path("."), instance_of(yaml)) == (2, 1)
    [sample] = iter_samples(Path("."), instance_of(yaml))
    assert sample.id == "b" and sample.input_images[0].read_bytes() == b"\x89PNG junk"  # decoding is the runner's


def test_a_file_datasets_cannot_parse_stops_the_task_naming_it(cli_run, bad_jsonl, tmp_path):
    data = bad_jsonl / "data" / "records.jsonl"
    data.write_text(data.read_text() + '{"uid": "torn", "question": \n')
    yaml = task_yaml(bad_jsonl / "t.yaml", "torn", "image", JSONL, doc_to_text="{{ question }}", **KEYS)
    res = cli_run("run", "--tasks", yaml, "--model", "counting", "--output_path", tmp_path / "run", "--quiet")
    assert res.exit_code == 2
    assert f"error: task 'torn' ({yaml}): cannot read {data} at record " in " ".join(res.output.split()), res.output
