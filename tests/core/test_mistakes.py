"""Every mistake ends in one clear line or a counted failure, never in plausible output with exit 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from core_testkit import KIT_TASKS, TESTKIT


def base(root, kit, run, *more):
    return ["run", "--include_path", kit, "--data_root", root, "--output_path", run, "--quiet", *more]


def results(run: Path) -> dict:
    return json.loads((run / "results.json").read_text())


def lines(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]


def test_empty_or_unknown_selection(cli_run, testkit, minidata_root, tmp_path):
    res = cli_run(*base(minidata_root, testkit, tmp_path / "r"), "--tasks", ",", "--model", "oracle")
    assert res.exit_code == 2 and "--tasks: no task names given" in res.output
    res = cli_run(
        *base(minidata_root, testkit, tmp_path / "r"),
        "--tasks",
        "kit_vqa",
        "--model",
        "oracle",
        "--metric_args",
        "lenght_ratio:x=1",
    )
    assert res.exit_code == 2 and "Did you mean 'length_ratio'?" in res.output
    res = cli_run(
        *base(minidata_root, testkit, tmp_path / "r"),
        "--tasks",
        "kit_edit",
        "--model",
        "oracle",
        "--metric_args",
        "length_ratio:x=1",
    )
    assert (
        res.exit_code == 2
        and "--metric_args: unknown metric 'length_ratio'. Known metrics: mean_intensity_gap." in res.output
    )
    assert not (tmp_path / "r").exists()


def test_model_args_given_twice_and_commas(cli_run, testkit, minidata_root, tmp_path):
    res = cli_run(
        *base(minidata_root, testkit, tmp_path / "r"),
        "--tasks", "kit_vqa", "--model", "echo_settings", "--model_args", "greeting=a", "--model_args", "greeting=b",
    )  # fmt: skip
    assert res.exit_code == 2 and "given 2 times" in res.output
    res = cli_run(
        *base(minidata_root, testkit, tmp_path / "r"),
        "--tasks", "kit_vqa", "--model", "echo_settings", "--model_args", 'greeting="hello, doctor"',
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(lines(tmp_path / "r")[0]["prediction"]["text"])["hi"] == "hello, doctor"


def test_lm_eval_habits_limit_fraction_gen_kwargs_batch_size(cli_run, testkit, minidata_root, tmp_path):
    run = tmp_path / "r"
    res = cli_run(
        *base(minidata_root, testkit, run),
        "--tasks", "KIT-VQA", "--model", "ECHO_SETTINGS", "--limit", "0.5", "--gen_kwargs", "max_new_tokens=7",
        "--batch_size", "5",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    got = lines(run)
    assert len(got) == 2  # ceil(0.5 x 3)
    answer = json.loads(got[0]["prediction"]["text"])
    assert answer["gen"] == {"max_new_tokens": 7} and answer["batch"] == 5
    res = cli_run(
        *base(minidata_root, testkit, tmp_path / "x"), "--tasks", "kit_vqa", "--model", "oracle", "--limit", "1.5"
    )
    assert res.exit_code == 2 and "a fraction between 0 and 1" in res.output
    res = cli_run(
        *base(minidata_root, testkit, tmp_path / "x"),
        "--tasks",
        "kit_vqa",
        "--model",
        "echo_settings",
        "--device",
        "cuda:0",
    )
    assert res.exit_code == 2 and "takes no device argument" in res.output


def test_requested_task_with_no_samples_is_an_error(cli_run, testkit, minidata_root, tmp_path):
    kit = tmp_path / "kit"
    kit.mkdir()
    for f in Path(testkit).glob("*.yaml"):
        (kit / f.name).write_text(f.read_text())
    (kit / "kit_none.yaml").write_text(
        "include: kit_vqa.yaml\ntask: kit_none\nfilter: {modality: pathology, subtask: [nothing]}\n"
    )
    res = cli_run(*base(minidata_root, str(kit), tmp_path / "r"), "--tasks", "kit_none,kit_edit", "--model", "oracle")
    assert res.exit_code == 2
    assert "task 'kit_none' has no samples: no record of 3 in VQA/question-answering" in res.output
    assert "modality=pathology, subtask=nothing" in res.output and "--allow_empty" in res.output
    res = cli_run(
        *base(minidata_root, str(kit), tmp_path / "r"),
        "--tasks",
        "kit_none,kit_edit",
        "--model",
        "oracle",
        "--allow_empty",
    )
    assert res.exit_code == 0, res.output
    assert "kit_edit" in results(tmp_path / "r")["results"]


def test_filtered_group_alone_is_labelled_as_a_subset(cli_run, testkit, minidata_root, tmp_path):
    run = tmp_path / "ct"
    res = cli_run(*base(minidata_root, testkit, run), "--tasks", "kit_ct", "--model", "oracle")
    assert res.exit_code == 0, res.output
    out = results(run)
    assert set(out["results"]) == {"kit_gen[modality=ct]"}  # the CT subset, never under the plain task name
    assert out["results"]["kit_gen[modality=ct]"]["length_ratio"]["n"] == 2
    assert out["groups"]["kit_ct"]["empty_tasks"] == ["kit_edit", "kit_vqa"]  # no CT sample in the minidata
    res = cli_run(*base(minidata_root, testkit, tmp_path / "shown")[:-1], "--tasks", "kit_ct", "--model", "oracle")
    assert "empty in group kit_ct: kit_edit, kit_vqa" in res.output


def test_limit_takes_the_same_records_whatever_else_is_asked(cli_run, testkit, minidata_root, tmp_path):
    alone, with_group = tmp_path / "alone", tmp_path / "group"
    assert (
        cli_run(
            *base(minidata_root, testkit, alone), "--tasks", "kit_ct", "--model", "oracle", "--limit", "2"
        ).exit_code
        == 0
    )
    res = cli_run(
        *base(minidata_root, testkit, with_group), "--tasks", "kit_all,kit_ct", "--model", "oracle", "--limit", "2"
    )
    assert res.exit_code == 0
    ids = lambda run: {(s["task"], s["id"]) for s in lines(run)}  # noqa: E731
    assert ids(alone) <= ids(with_group)
    assert {(t, i) for t, i in ids(with_group) if (t, i) in ids(alone)} == ids(alone)


def test_unavailable_metric_does_not_fail_the_run_unless_strict(cli_run, testkit, minidata_root, tmp_path):
    kit = tmp_path / "kit"
    kit.mkdir()
    (kit / "kit_w.yaml").write_text(
        "task: kit_w\ndataset_name: VQA/question-answering\noutput_type: text\n"
        "metric_list:\n  - metric: needs_weights\n"
    )
    res = cli_run(*base(minidata_root, str(kit), tmp_path / "r"), "--tasks", "kit_w", "--model", "oracle")
    assert res.exit_code == 0, res.output
    assert results(tmp_path / "r")["failures"]["unavailable_metrics"] == {
        "needs_weights": "weights.bin is not downloaded: put it in $HOME/.cache/kit/"
    }
    res = cli_run(*base(minidata_root, str(kit), tmp_path / "r"), "--tasks", "kit_w", "--model", "oracle", "--strict")
    assert res.exit_code == 4 and "--strict: unavailable metrics: needs_weights" in res.output
    (kit / "kit_w.yaml").write_text((kit / "kit_w.yaml").read_text().replace("needs_weights", "lenght_ratio"))
    res = cli_run(*base(minidata_root, str(kit), tmp_path / "t"), "--tasks", "kit_w", "--model", "oracle")
    assert (
        res.exit_code == 2
        and "key 'metric_list': unknown metric 'lenght_ratio'. Did you mean 'length_ratio'?" in res.output
    )


def test_model_constructor_failure_is_one_line_and_leaves_nothing_blocking(cli_run, testkit, minidata_root, tmp_path):
    run = tmp_path / "r"
    res = cli_run(
        *base(minidata_root, testkit, run), "--tasks", "kit_vqa", "--model", "exploding", "--model_args", "size=7b"
    )
    assert res.exit_code == 2
    assert "model 'exploding' with --model_args size=7b failed to start: RuntimeError: CUDA out of memory" in res.output
    assert "Traceback" not in res.output
    res = cli_run(
        *base(minidata_root, testkit, run),
        "--tasks",
        "kit_vqa",
        "--model",
        "echo_settings",
        "--model_args",
        "greting=x",
    )
    assert res.exit_code == 2 and "bad --model_args greting=x" in res.output
    res = cli_run(
        *base(minidata_root, testkit, run),
        "--tasks",
        "kit_vqa",
        "--model",
        "echo_settings",
        "--model_args",
        "greeting=x",
    )
    assert res.exit_code == 0, res.output  # the corrected command is not refused as "a different run"


def test_read_only_output_folder_is_one_line(cli_run, testkit, minidata_root, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root ignores permissions: make the parent a file instead
            target = tmp_path / "a_file"
            target.write_text("x")
            out = target / "run"
        else:
            out = locked / "run"
        res = cli_run(*base(minidata_root, testkit, out), "--tasks", "kit_vqa", "--model", "oracle")
        assert res.exit_code == 2 and res.output.startswith("error: ") and "Traceback" not in res.output
        assert len(res.output.strip().splitlines()) == 1
    finally:
        locked.chmod(0o700)


def test_score_on_an_interrupted_run_says_so(cli_run, testkit, minidata_root, tmp_path):
    run = tmp_path / "r"
    assert cli_run(*base(minidata_root, testkit, run), "--tasks", "kit_vqa", "--model", "oracle").exit_code == 0
    journal = run / "predictions.jsonl"
    journal.write_text("".join(journal.read_text().splitlines(keepends=True)[:1]))  # as if killed after one answer
    res = cli_run("score", str(run), "--quiet")
    assert res.exit_code == 0
    assert all(s["id"] and s["task"] for s in lines(run))
    warnings = results(run)["config"]["warnings"]
    assert any("run incomplete: 2 sample(s) have no saved prediction" in w for w in warnings)
    assert results(run)["n_samples"]["kit_vqa"]["not_done"] == 2


def test_ctrl_c_says_how_to_resume(tmp_path, minidata_root):
    env = {**os.environ, "PYTHONPATH": TESTKIT, "MEDGEN_LOAD_PLUGINS": "models,tasks,testkit"}
    code = "import sys; from medgen_core.cli import main; sys.argv[0] = 'medgen'; main()"
    args = ["run", "--tasks", "kit_all", "--include_path", KIT_TASKS, "--model", "slow", "--model_args", "delay=0.5",
            "--data_root", str(minidata_root), "--output_path", str(tmp_path / "r"), "--quiet"]  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    journal = tmp_path / "r" / "predictions.jsonl"
    while time.monotonic() < deadline and not (journal.exists() and journal.stat().st_size):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted: everything computed so far is saved in" in err and "run the same command again" in err
    assert "Traceback" not in err


def _bomb_png(path: Path, side: int = 30_000) -> None:
    """A valid 8-bit gray PNG of side x side zeros (900 megapixels at 30,000), written without the pixels in memory."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    packer = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def test_bad_image_files_fail_their_sample_before_the_model(cli_run, testkit, tmp_path):
    import io

    from PIL import Image

    from medgen_core.testing.minidata import make_dataset

    root = make_dataset(tmp_path / "data", per_task=6, multi_image=False)
    folder = root / "ImageEditing" / "noise-reconstruction"
    good = (folder / "images" / "000_in0.png").read_bytes()
    jpeg = io.BytesIO()
    Image.new("L", (64, 64), 128).save(jpeg, format="JPEG")
    (folder / "images" / "001_in0.png").write_bytes(b"")  # zero bytes
    (folder / "images" / "002_in0.png").write_bytes(good[: len(good) // 2])  # truncated PNG
    (folder / "images" / "003_gt.png").write_text("not an image at all\n")  # a text file named .png
    (folder / "images" / "004_in0.png").write_bytes(jpeg.getvalue()[:200])  # truncated JPEG
    _bomb_png(folder / "images" / "005_in0.png")  # 900 megapixels
    run = tmp_path / "r"
    res = cli_run(*base(root, testkit, run), "--tasks", "kit_edit", "--model", "oracle")
    assert res.exit_code == 0, res.output
    by_id = {s["id"]: s for s in lines(run)}
    data = f"{folder / 'data.jsonl'}"
    expect = {
        "noise-reconstruction-001": (":2: field 'input_image[0]'", "001_in0.png", "empty file (0 bytes)"),
        "noise-reconstruction-002": (":3: field 'input_image[0]'", "002_in0.png", "truncated"),
        "noise-reconstruction-003": (":4: field 'ground_truth_image'", "003_gt.png", "not an image medgen can read"),
        "noise-reconstruction-004": (":5: field 'input_image[0]'", "004_in0.png", "cannot decode image"),
        "noise-reconstruction-005": (":6: field 'input_image[0]'", "005_in0.png", "900,000,000 pixels, over the limit"),
    }
    for sample_id, (where, name, problem) in expect.items():
        error = by_id[sample_id]["error"]
        assert error.startswith(data + where) and name in error and problem in error, error
        assert "BytesIO" not in error
    assert by_id["noise-reconstruction-000"]["error"] is None
    n = results(run)["n_samples"]["kit_edit"]
    assert n == {"total": 6, "failed_predictions": 5, "not_done": 0}


def test_checked_images_are_decoded_once(minidata_root, monkeypatch):
    from medgen_core import images
    from medgen_core.data.samples import iter_samples
    from medgen_core.paths import builtin_task_dir
    from medgen_core.run.predict import input_problem
    from medgen_core.tasks.index import TaskIndex

    index = TaskIndex([builtin_task_dir()])
    spec, path = index.tasks["noise_reconstruction"]
    from medgen_core.tasks.index import TaskInstance

    sample = next(iter_samples(minidata_root, TaskInstance(spec, path)))
    calls = []
    real = images.decode_image
    monkeypatch.setattr(images, "decode_image", lambda data, ref="": calls.append(ref) or real(data, ref))
    assert input_problem(sample) is None
    assert len(calls) == 2  # input and reference, once each
    first = sample.input_images[0].open()
    pixels = first.tobytes()
    first.paste(first.getpixel((10, 10)) if first.getpixel((0, 0)) != first.getpixel((10, 10)) else 0, (0, 0, 8, 8))
    assert first.tobytes() != pixels  # this consumer changed its copy ...
    assert sample.input_images[0].open().tobytes() == pixels  # ... and the next one still gets the file's pixels
    assert len(calls) == 2  # the model and the scorers reuse the pixels


def test_image_fields_must_be_lists_and_edits_need_an_input(cli_run, testkit, tmp_path):
    from medgen_core.testing.minidata import make_dataset

    root = make_dataset(tmp_path / "data", per_task=3, multi_image=False)
    data = root / "ImageEditing" / "noise-reconstruction" / "data.jsonl"
    records = [json.loads(line) for line in data.read_text().splitlines()]
    records[0]["input_image"] = records[0]["input_image"][0]  # a bare string
    records[1]["input_image"] = []  # nothing to edit
    data.write_text("".join(json.dumps(r) + "\n" for r in records))
    run = tmp_path / "r"
    assert cli_run(*base(root, testkit, run), "--tasks", "kit_edit", "--model", "oracle").exit_code == 0
    by_id = {s["id"]: s["error"] for s in lines(run)}
    assert by_id["noise-reconstruction-000"] == (
        f"{data}:1: field 'input_image': expected a list of image paths, got a bare string 'images/000_in0.png' "
        '(the official layout lists images even when there is one: ["images/000_in0.png"])'
    )
    assert by_id["noise-reconstruction-001"] == (
        f"{data}:2: field 'input_image': required for an image task (the image to edit or condition on)"
    )
    assert by_id["noise-reconstruction-002"] is None


def test_model_description_and_seed_reach_run_json(cli_run, testkit, minidata_root, tmp_path):
    run = tmp_path / "r"
    args = (*base(minidata_root, testkit, run), "--tasks", "kit_vqa", "--model", "echo_settings", "--seed", "77")
    assert cli_run(*args).exit_code == 0
    config = json.loads((run / "run.json").read_text())
    assert config["model"]["describe"] == {"checkpoint": "echo-v1", "seed": 77}  # --seed reached the model
    assert cli_run(*args).exit_code == 0  # resumed: nothing to predict, the model is not built ...
    assert json.loads((run / "run.json").read_text())["model"]["describe"]["checkpoint"] == "echo-v1"  # ... kept
    line = lines(run)[0]
    assert line["prompt"] and results(run)["config"]["tasks"]["kit_vqa"]["label"] == "kit_vqa"
