"""The committed sample benchmark: layout, counts, modalities, images, and byte-identical rebuilds."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest
from medgen_build.checksums import checksums
from medgen_build.pipeline import BuildOptions, build
from medgen_build.registry import transform_registry
from medgen_build.tasks import ALL_TASKS

from medgen_core.names import MODALITIES, normalise_modality
from medgen_core.paths import sample_benchmark_dir

BENCH = sample_benchmark_dir()
SAMPLE = BENCH / "medgen-sample"


def _records(folder: str) -> list[dict]:
    lines = (SAMPLE / folder / "data.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


ALL = {spec.folder: _records(spec.folder) for spec in ALL_TASKS.values()}


@pytest.fixture(scope="session")
def rebuilt(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rebuild") / "medgen-sample"
    build(BuildOptions(sources=BENCH / "sources", out=out))
    return out


def test_rebuild_is_byte_identical_to_committed_checksums(rebuilt):
    assert checksums(rebuilt) == (BENCH / "CHECKSUMS.sha256").read_text(encoding="utf-8")


def test_committed_sample_matches_its_checksums():
    assert checksums(SAMPLE) == (BENCH / "CHECKSUMS.sha256").read_text(encoding="utf-8")


def test_every_task_has_ten_records_and_counts_match():
    manifest = json.loads((SAMPLE / "manifest.json").read_text())
    assert set(manifest["tasks"]) == set(ALL) and len(ALL) == 16
    for folder, recs in ALL.items():
        assert len(recs) >= 10, folder
        assert manifest["tasks"][folder]["record_count"] == len(recs)
        task_manifest = json.loads((SAMPLE / folder / "task_manifest.json").read_text())
        assert task_manifest["record_count"] == len(recs)
        assert f"{task_manifest['format']}/{task_manifest['task']}" == folder
    assert manifest["validation"]["actual_record_count"] == sum(len(r) for r in ALL.values())
    for fmt, tasks in manifest["table_iv"].items():
        for task in tasks:
            assert f"{fmt}/{task}" in manifest["tasks"]


def test_all_six_modalities_and_ct_lesion_edits():
    mods = {normalise_modality(r["modality"]) for recs in ALL.values() for r in recs}
    assert mods == set(MODALITIES)
    edits = ALL["MultimodalGeneration/instruction-editing"]
    lesion = [r for r in edits if normalise_modality(r["modality"]) == "ct" and r["paper_subtask"] == "Lesion Edit"]
    assert len(lesion) >= 10
    assert {r["build"]["transform"] for r in lesion} == {"lesion_insert", "lesion_remove", "lesion_resize"}
    others = [r for r in edits if r["paper_subtask"] != "Lesion Edit"]
    assert others and all(normalise_modality(r["modality"]) != "ct" for r in others)


def test_image_refs_relative_inside_task_and_images_valid():
    from medgen_core.images import decode_image

    for folder, recs in ALL.items():
        for r in recs:
            refs = [*r["input_image"], *r["ground_truth_image"], *r.get("mask_image", [])]
            assert refs
            for ref in refs:
                p = PurePosixPath(ref)
                assert not p.is_absolute() and ".." not in p.parts and p.parts[0] == "images", ref
                img = decode_image((SAMPLE / folder / ref).read_bytes(), ref)
                assert max(img.size) <= 512 and img.mode in ("L", "RGB")
                assert (SAMPLE / folder / ref).suffix == ".png"


def test_record_fields_follow_the_layout():
    ids = set()
    for folder, recs in ALL.items():
        fmt = folder.split("/")[0]
        for r in recs:
            assert r["id"] not in ids
            ids.add(r["id"])
            assert r["paper_task"] == folder.split("/")[1]
            assert r["review"]["status"] == "passed" and r["review"]["failed"] == []
            assert r["instruction"] and r["answer"]
            if fmt == "VQA":
                assert r["category"] == "VQA" and r["ground_truth_image"] == [] and r["in-out"] == "image-text_to_text"
            else:
                assert len(r["input_image"]) == 1 and len(r["ground_truth_image"]) == 1
                assert r["category"] == ("ImageEdit" if fmt == "ImageEditing" else "MMGeneration")


def test_vqa_answers_are_well_formed_and_some_are_multi_image():
    for r in ALL["VQA/multiple-choice"]:
        assert len(r["choice"]) == 4 and len(set(r["choice"])) == 4 and r["answer"] in "ABCD"
        facts = r["build"]["facts"]
        if "correct_text" in facts:
            assert r["choice"]["ABCD".index(r["answer"])] == facts["correct_text"]
    for r in ALL["VQA/report-generation"]:
        assert set(r["answer"]) == {"FINDINGS", "IMPRESSION"}
    for r in ALL["VQA/blank-filling"]:
        assert isinstance(r["answer"], str) and len(r["answer"].split()) <= 6
    multi = [r for f in ("VQA/multiple-choice", "VQA/question-answering") for r in ALL[f] if len(r["input_image"]) > 1]
    assert len(multi) >= 2 and all(2 <= len(r["input_image"]) <= 3 for r in multi)


def test_every_build_field_names_a_registered_transform():
    registry = transform_registry()
    for folder, recs in ALL.items():
        for r in recs:
            b = r["build"]
            assert b["source_file"] and b["seed"][1] in ALL_TASKS
            if not folder.startswith("VQA/"):
                assert b["transform"] in registry, b["transform"]
                assert b["plugin"] == registry[b["transform"]]["plugin"]
                assert isinstance(b["params"], dict) and isinstance(b["resolved"], dict)


def test_sample_is_small():
    total = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert total < 25 * 1024 * 1024


def test_sources_carry_provenance_for_every_file():
    import csv

    rows = list(csv.DictReader((BENCH / "sources" / "PROVENANCE.csv").open(newline="")))
    files = {r["file"] for r in rows}
    on_disk = {
        p.relative_to(BENCH / "sources").as_posix()
        for p in (BENCH / "sources").rglob("*")
        if p.is_file() and p.suffix in (".png", ".npz")
    }
    assert files == on_disk
    assert all(r["license"] and r["source_pkg"] and r["path_in_pkg"] for r in rows)
