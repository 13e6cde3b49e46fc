"""``medgen run --model hf`` end to end on the bundled sample, with a tiny Qwen2-VL loaded by path."""

from __future__ import annotations

from pathlib import Path

import pytest
from medgen_hf.testing import run_folder

from medgen_core.testing import make_dataset


def run_hf(medgen_cli, checkpoint: Path, out: Path, *extra: str, args: str = "max_new_tokens=6,batch_size=4"):
    return medgen_cli(
        "run",
        "--model",
        "hf",
        "--model_args",
        f"pretrained={checkpoint},{args}",
        "--output_path",
        out,
        "--quiet",
        *extra,
    )


@pytest.fixture(scope="module")
def vqa_run(tiny_qwen2_vl, tmp_path_factory) -> Path:
    """multiple_choice and question_answering, all 10 records each (two of each have three images)."""
    from click.testing import CliRunner

    from medgen_core.cli import cli

    out = tmp_path_factory.mktemp("hf-run") / "run"
    args = f"pretrained={tiny_qwen2_vl},max_new_tokens=6,batch_size=4"
    command = ["run", "--tasks", "multiple_choice,question_answering", "--model", "hf", "--model_args", args]
    result = CliRunner().invoke(cli, [*command, "--output_path", str(out), "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_every_sample_gets_a_saved_text_answer_and_scores(vqa_run: Path) -> None:
    predictions, results = run_folder(vqa_run)
    assert len(predictions) == 20
    assert all("error" not in p and isinstance(p["text"], str) and p["image"] is None for p in predictions)
    assert sorted(len(p["inputs"]) for p in predictions) == [1] * 16 + [3] * 4  # native multi-image prompts
    assert all(p["usage"]["completion_tokens"] <= 6 for p in predictions)
    accuracy = results["results"]["multiple_choice"]["accuracy"]
    assert accuracy["n"] == 10 and accuracy["n_failed"] == 0 and 0.0 <= accuracy["mean"] <= 1.0
    bleu = results["results"]["question_answering"]["bleu"]
    assert bleu["n"] == 10 and bleu["n_failed"] == 0 and bleu["mean"] >= 0.0
    counts = results["n_samples"]["multiple_choice"]
    assert (counts["total"], counts["failed_predictions"]) == (10, 0)


def test_the_same_run_again_gives_identical_answers(vqa_run: Path, tiny_qwen2_vl, medgen_cli, tmp_path) -> None:
    """Also through the CLI's --batch_size/--device: greedy answers do not depend on the batch (left padding)."""
    result = run_hf(
        medgen_cli, tiny_qwen2_vl, tmp_path / "again", "--tasks", "multiple_choice,question_answering",
        "--batch_size", "3", "--device", "cpu", args="max_new_tokens=6",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    first = {(p["task"], p["id"]): p["text"] for p in run_folder(vqa_run)[0]}
    again = {(p["task"], p["id"]): p["text"] for p in run_folder(tmp_path / "again")[0]}
    assert first == again


def test_a_broken_image_is_a_counted_failure(tiny_qwen2_vl, medgen_cli, tmp_path) -> None:
    root = make_dataset(tmp_path / "data")
    broken = root / "VQA" / "question-answering" / "images" / "000_in0.png"
    broken.write_bytes(b"this is not a png")
    result = run_hf(medgen_cli, tiny_qwen2_vl, tmp_path / "out", "--tasks", "question_answering", "--data_root", root)
    assert result.exit_code == 0, result.output
    predictions, results = run_folder(tmp_path / "out")
    failed = [p for p in predictions if p.get("error")]
    assert len(predictions) == 3 and len(failed) == 1
    assert "000_in0.png" in failed[0]["error"]  # the core finds it before the model ("data"), else the model does
    counts = results["n_samples"]["question_answering"]
    assert (counts["total"], counts["failed_predictions"]) == (3, 1)
    assert results["results"]["question_answering"]["bleu"]["n_failed"] == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("pretrained={missing}", "checkpoint folder {missing} does not exist; download it with `hf download"),
        ("pretrained=medgen-test/never-downloaded", "medgen-test/never-downloaded is not in the Hugging Face cache"),
        ("pretrained={checkpoint},temprature=0", "hf model: unknown argument(s) ['temprature']"),
    ],
)
def test_user_errors_end_in_one_line(tiny_qwen2_vl, medgen_cli, tmp_path, args: str, expected: str) -> None:
    missing = tmp_path / "models" / "Lingshu-7B"
    model_args = args.format(missing=missing, checkpoint=tiny_qwen2_vl)
    result = medgen_cli(
        "run", "--tasks", "question_answering", "--model", "hf", "--model_args", model_args, "--limit", "1",
        "--output_path", tmp_path / "out", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 2
    assert expected.format(missing=missing) in result.output
    assert "Traceback" not in result.output and result.output.count("error:") == 1


def test_image_tasks_never_reach_a_text_model(tiny_qwen2_vl, medgen_cli, tmp_path) -> None:
    """hf declares no image_out, so the run refuses an editing task before loading the model."""
    result = run_hf(medgen_cli, tiny_qwen2_vl, tmp_path / "out", "--tasks", "noise_reconstruction", "--limit", "2")
    assert result.exit_code == 2
    assert "task 'noise_reconstruction' needs image_out" in result.output and "Traceback" not in result.output
