"""The official layout as released, and every kind of bad input named precisely, never fatal."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from medgen_core.data.records import RecordFailure, serialise_answer
from medgen_core.data.samples import count_check, iter_samples
from medgen_core.images import contact_sheet, decode_image
from medgen_core.paths import builtin_task_dir
from medgen_core.tasks.index import TaskIndex, TaskInstance
from medgen_core.testing.minidata import make_dataset, write_image


@pytest.fixture(scope="module")
def index():
    return TaskIndex([builtin_task_dir()])


def instance(index, name):
    spec, path = index.tasks[name]
    return TaskInstance(spec, path)


def test_loads_every_task_of_the_layout(index, minidata_root):
    for name, (spec, path) in index.tasks.items():
        items = list(iter_samples(minidata_root, TaskInstance(spec, path)))
        assert all(not isinstance(i, RecordFailure) for i in items), name
        assert len(items) == (2 if name == "ct_lesion_edit" else 3)
    mc = list(iter_samples(minidata_root, instance(index, "multiple_choice")))
    assert mc[0].choices == ["pneumothorax", "normal study", "fracture", "effusion"] and mc[0].answer == "B"
    assert len(mc[1].input_images) == 2  # multi-image VQA
    assert mc[1].input_images[0].ref == "VQA/multiple-choice/images/001_in0.png"
    report = list(iter_samples(minidata_root, instance(index, "report_generation")))[0]
    assert report.answer == "FINDINGS: Clear lungs 0.\nIMPRESSION: No acute finding 0."
    edit = list(iter_samples(minidata_root, instance(index, "noise_reconstruction")))[0]
    assert edit.format == "edit" and edit.reference_image is not None and len(edit.data_hash) == 64
    modalities = {s.modality for t in index.tasks for s in iter_samples(minidata_root, instance(index, t))}
    assert {"ct", "mri", "xray", "us", "pathology", "photo"} <= modalities


def test_answer_serialisation_order():
    assert (
        serialise_answer({"impression": "b", "Findings": "a", "extra": "c"}) == "FINDINGS: a\nIMPRESSION: b\nEXTRA: c"
    )
    assert serialise_answer(["left", "right"]) == "left | right"
    assert serialise_answer("x") == "x"


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "I;16", "P"])
def test_image_modes_decode_to_8bit(tmp_path, mode):
    write_image(tmp_path / "x.png", 3, mode)
    img = decode_image((tmp_path / "x.png").read_bytes())
    assert img.mode in ("L", "RGB", "RGBA")
    assert np.asarray(img).dtype == np.uint8


def test_16bit_and_cmyk_values(tmp_path):
    arr = np.array([[0, 257, 65535]], dtype=np.uint16)
    Image.fromarray(arr).save(tmp_path / "a.png")
    assert np.asarray(decode_image((tmp_path / "a.png").read_bytes())).tolist() == [[0, 1, 255]]
    Image.new("CMYK", (4, 4), (0, 0, 0, 0)).save(tmp_path / "c.jpg")
    img = decode_image((tmp_path / "c.jpg").read_bytes())
    assert img.mode == "RGB" and np.asarray(img).min() > 240


def test_contact_sheet_tiles_and_labels():
    sheet = contact_sheet([Image.new("L", (50, 40), 200), Image.new("RGB", (30, 30), (0, 0, 255))], tile=64)
    assert sheet.size == (128, 84)


def broken_dataset(root: Path, outside: Path) -> Path:
    make_dataset(root, per_task=2, multi_image=False)
    folder = root / "VQA" / "question-answering"
    base = json.loads((folder / "data.jsonl").read_text().splitlines()[0])
    outside.write_bytes((folder / "images" / "000_in0.png").read_bytes())
    os.symlink(outside, folder / "images" / "link.png")
    (folder / "images" / "garbage.png").write_bytes(b"not an image at all")
    bad = [
        '{"id": "torn", "instruction": ',
        json.dumps({**base, "id": "noinst", "instruction": ""}),
        json.dumps({**base, "id": "missing", "input_image": ["images/nothere.png"]}),
        json.dumps({**base, "id": "absolute", "input_image": ["/etc/passwd"]}),
        json.dumps({**base, "id": "dotdot", "input_image": ["../blank-filling/images/000_in0.png"]}),
        json.dumps({**base, "id": "symlink", "input_image": ["images/link.png"]}),
        json.dumps({**base, "id": "question-answering-000"}),
        json.dumps({**base, "id": "undecodable", "input_image": ["images/garbage.png"]}),
    ]
    with (folder / "data.jsonl").open("a") as handle:
        handle.write("\n".join(bad) + "\n")
    return root


def test_bad_records_are_named_failures(index, tmp_path):
    root = broken_dataset(tmp_path / "data", tmp_path / "outside.png")
    items = {i.id: i for i in iter_samples(root, instance(index, "question_answering"))}
    data = root / "VQA" / "question-answering" / "data.jsonl"
    expect = {
        "000003": (3, "malformed JSON"),
        "noinst": (4, "field 'instruction': missing or empty"),
        "missing": (5, "field 'input_image'[0]: image file not found: 'images/nothere.png'"),
        "absolute": (6, "absolute image path '/etc/passwd' is not allowed"),
        "dotdot": (7, "leaves the task folder"),
        "symlink": (8, "resolves outside the task folder"),
        "question-answering-000#000009": (
            9,
            f"field 'id': duplicate sample id 'question-answering-000' (first at {data}:1)",
        ),
    }
    for sample_id, (line, message) in expect.items():
        failure = items[sample_id]
        assert isinstance(failure, RecordFailure), sample_id
        assert failure.message.startswith(f"{data}:{line}: ") and message in failure.message, failure.message
    assert not isinstance(items["undecodable"], RecordFailure)  # decoding happens when used, and fails there


def test_bad_input_run_completes_and_counts(cli_run, testkit, tmp_path):
    root = broken_dataset(tmp_path / "data", tmp_path / "outside.png")
    run = tmp_path / "run"
    res = cli_run(
        "run",
        "--tasks",
        "kit_vqa",
        "--include_path",
        testkit,
        "--model",
        "textonly",
        "--data_root",
        root,
        "--output_path",
        run,
        "--quiet",
    )
    assert res.exit_code == 0, res.output
    results = json.loads((run / "results.json").read_text())
    m = results["results"]["kit_vqa"]["length_ratio"]
    assert m["n"] == 10 and m["n_failed"] == 8  # 7 bad records, and the undecodable image fails before the model
    assert results["n_samples"]["kit_vqa"] == {"total": 10, "failed_predictions": 8, "not_done": 0}
    lines = {s["id"]: s for s in map(json.loads, (run / "samples.jsonl").read_text().splitlines())}
    assert "absolute image path" in lines["absolute"]["error"]
    assert "data.jsonl has 10" in " ".join(results["config"]["warnings"])  # manifest says 2


def test_undecodable_reference_fails_the_sample_before_the_model(cli_run, testkit, tmp_path):
    root = make_dataset(tmp_path / "data", per_task=2)
    (root / "ImageEditing" / "noise-reconstruction" / "images" / "000_gt.png").write_bytes(b"\x89PNG broken")
    run = tmp_path / "run"
    res = cli_run(
        "run",
        "--tasks",
        "kit_edit",
        "--include_path",
        testkit,
        "--model",
        "identity",
        "--data_root",
        root,
        "--output_path",
        run,
        "--quiet",
    )
    assert res.exit_code == 0, res.output
    m = json.loads((run / "results.json").read_text())["results"]["kit_edit"]["mean_intensity_gap"]
    assert m["n"] == 2 and m["n_failed"] == 1
    line = next(s for s in map(json.loads, (run / "samples.jsonl").read_text().splitlines()) if s["failures"])
    assert "field 'ground_truth_image'" in line["error"] and "000_gt.png" in line["error"]
    assert line["failures"]["mean_intensity_gap"].startswith("prediction failed: ")  # every metric counts it failed


def test_manifest_count_mismatch(index, tmp_path):
    root = make_dataset(tmp_path / "data", per_task=2)
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["tasks"]["ImageEditing/style-transfer"]["record_count"] = 900
    (root / "manifest.json").write_text(json.dumps(manifest))
    message = count_check(root, instance(index, "style_transfer"))
    assert message == (
        "task 'style_transfer' (ImageEditing/style-transfer): manifest.json says 900 records, data.jsonl has 2"
    )
    assert count_check(root, instance(index, "artifact_removal")) is None


def to_parquet(src: Path, dst: Path) -> Path:
    """The Parquet form of a dataset: one file per config, images embedded as {bytes, path}."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    configs = {"VQA": "vqa", "ImageEditing": "image_editing", "MultimodalGeneration": "multimodal_generation"}
    for fmt, config in configs.items():
        rows = []
        for data in sorted((src / fmt).glob("*/data.jsonl")):
            for line in data.read_text().splitlines():
                rec = {"choice": None, **json.loads(line)}  # every row has every column
                for key in ("input_image", "ground_truth_image"):
                    rec[key] = [{"bytes": (data.parent / p).read_bytes(), "path": p} for p in rec[key]]
                if isinstance(rec["answer"], dict):
                    rec["answer"] = json.dumps(rec["answer"])  # one column type; JSONL keeps the dict
                rows.append(rec)
        (dst / "data" / config).mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist(rows), dst / "data" / config / "test-00000-of-00001.parquet")
    (dst / "manifest.json").write_text((src / "manifest.json").read_text())
    return dst


def test_parquet_form_loads_like_jsonl(index, minidata_root, tmp_path):
    root = to_parquet(minidata_root, tmp_path / "pq")
    for name in ("multiple_choice", "noise_reconstruction", "organ_removal", "ct_lesion_edit"):
        a = list(iter_samples(minidata_root, instance(index, name)))
        b = list(iter_samples(root, instance(index, name)))
        assert [s.id for s in a] == [s.id for s in b] and len(b) >= 2
        for x, y in zip(a, b, strict=True):
            assert not isinstance(y, RecordFailure), y
            assert x.answer == y.answer and x.choices == y.choices and x.modality == y.modality
            assert [i.read_bytes() for i in x.input_images] == [i.read_bytes() for i in y.input_images]
            assert y.input_images[0].path is None and ":row " in y.source
        assert count_check(root, instance(index, name)) is None
    assert len(list(iter_samples(root, instance(index, "multiple_choice")))[1].input_images) == 2


def test_hub_id_offline_says_what_to_do(monkeypatch):
    from medgen_core.data.roots import resolve_data_root
    from medgen_core.types import MedgenError

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(MedgenError) as info:
        resolve_data_root("Jack04810/MedGEN-Bench")
    text = str(info.value)
    assert "cannot get dataset 'Jack04810/MedGEN-Bench'" in text
    assert "hf download Jack04810/MedGEN-Bench --repo-type dataset --local-dir DIR" in text
    with pytest.raises(MedgenError, match="no such folder: ./nowhere"):
        resolve_data_root("./nowhere")


def test_multi_image_reaches_models_natively_or_as_contact_sheet(index, minidata_root, testkit, monkeypatch):
    from medgen_core.plugins import get_host
    from medgen_core.run.predict import Predictor

    monkeypatch.setenv("MEDGEN_LOAD_PLUGINS", "models,tasks,testkit")
    sample = list(iter_samples(minidata_root, instance(index, "multiple_choice")))[1]
    spec = index.tasks["multiple_choice"][0]

    def request_for(model: str):
        return Predictor(get_host().model(model), {}, store=None, secrets=[], retry_failed=False)._request(spec, sample)

    native = request_for("counting")
    assert [i.ref for i in native.images] == [i.ref for i in sample.input_images]
    assert "A. pneumothorax\nB. normal study\nC. fracture\nD. effusion" in native.prompt  # MC options reach the model
    single = request_for("textonly")
    assert len(single.images) == 1 and single.images[0].ref.startswith("contact_sheet(")
    assert single.images[0].open().size == (2 * 384, 384 + 20)


def test_unknown_task_in_record_or_manifest(index, cli_run, testkit, tmp_path):
    from medgen_core.data.official import unknown_manifest_tasks

    root = make_dataset(tmp_path / "data", per_task=2)
    data = root / "MultimodalGeneration" / "organic-removal" / "data.jsonl"
    lines = data.read_text().splitlines()
    lines[1] = lines[1].replace('"paper_task": "organic-removal"', '"paper_task": "organ-reconstruction"')
    lines[0] = lines[0].replace('"paper_task": "organic-removal"', '"paper_task": "Organ_Removal"')  # an alias
    data.write_text("\n".join(lines) + "\n")
    items = list(iter_samples(root, instance(index, "organ_removal")))
    assert not isinstance(items[0], RecordFailure)
    assert isinstance(items[1], RecordFailure)
    assert f"{data}:2: field 'paper_task': 'organ-reconstruction' is not task 'organ_removal'" in items[1].message
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["tasks"]["VQA/visual-grounding"] = {"record_count": 3}
    (root / "manifest.json").write_text(json.dumps(manifest))
    specs = [spec for spec, _ in index.tasks.values()]
    assert unknown_manifest_tasks(root, specs) == [
        f"{root / 'manifest.json'}: unknown task 'VQA/visual-grounding' (no task YAML reads it)"
    ]
    res = cli_run("ls", "tasks", "--data_root", root)
    assert "unknown task 'VQA/visual-grounding'" in res.output
