"""``medgen run --model diffusers`` end to end on the bundled sample, tiny checkpoints loaded by path."""

from __future__ import annotations

from pathlib import Path

import pytest
from medgen_hf.testing import run_folder
from PIL import Image

EDIT_TASKS = "noise_reconstruction,style_transfer,anatomical_annotation"


def run_diffusers(medgen_cli, checkpoint: Path, out: Path, seed: int = 1234, tasks: str = EDIT_TASKS):
    args = f"pretrained={checkpoint},steps=2,size=64,batch_size=2,seed={seed}"
    return medgen_cli(
        "run", "--tasks", tasks, "--model", "diffusers", "--model_args", args, "--limit", "2",
        "--output_path", out, "--quiet",
    )  # fmt: skip


@pytest.mark.parametrize("checkpoint", ["tiny_instruct_pix2pix", "tiny_stable_diffusion"])
def test_editing_tasks_get_images_and_scores(checkpoint, request, medgen_cli, tmp_path: Path) -> None:
    """InstructPix2Pix edits directly; Stable Diffusion edits through its img2img variant."""
    folder = request.getfixturevalue(checkpoint)
    result = run_diffusers(medgen_cli, folder, tmp_path / "run")
    assert result.exit_code == 0, result.output
    predictions, results = run_folder(tmp_path / "run")
    assert len(predictions) == 6
    for p in predictions:
        assert "error" not in p, p
        assert p["text"] is None and p["image"]
        with Image.open(tmp_path / "run" / p["image"]) as image:
            assert image.size == (64, 64) and image.mode == "RGB"  # the model's size; the scorer resizes
    for task in EDIT_TASKS.split(","):
        for metric in ("ssim", "psnr"):
            entry = results["results"][task][metric]
            assert entry["n"] == 2 and entry["n_failed"] == 0 and isinstance(entry["mean"], float)


def test_generation_tasks_are_refused_for_want_of_text(tiny_stable_diffusion, medgen_cli, tmp_path: Path) -> None:
    """A text+image task needs text too: the run refuses an image-only model before calling it."""
    result = run_diffusers(medgen_cli, tiny_stable_diffusion, tmp_path / "run", tasks="instruction_editing")
    assert result.exit_code == 2
    assert "task 'instruction_editing' needs text_out" in result.output and "Traceback" not in result.output


def test_the_same_seed_gives_the_same_image_files(tiny_instruct_pix2pix, medgen_cli, tmp_path: Path) -> None:
    runs = {}
    for name, seed in (("first", 3), ("again", 3), ("other", 4)):
        assert run_diffusers(medgen_cli, tiny_instruct_pix2pix, tmp_path / name, seed).exit_code == 0
        runs[name] = {(p["task"], p["id"]): p["image"] for p in run_folder(tmp_path / name)[0]}
    assert runs["first"] == runs["again"]  # images are stored by content hash: equal names, equal bytes
    assert all(runs["first"][key] != runs["other"][key] for key in runs["first"])


def test_a_missing_checkpoint_is_one_line(medgen_cli, tmp_path: Path) -> None:
    result = medgen_cli(
        "run", "--tasks", "noise_reconstruction", "--model", "diffusers", "--model_args",
        f"pretrained={tmp_path / 'instruct-pix2pix'}", "--output_path", tmp_path / "out", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"checkpoint folder {tmp_path / 'instruct-pix2pix'} does not exist; download it with" in result.output
    assert "Traceback" not in result.output
