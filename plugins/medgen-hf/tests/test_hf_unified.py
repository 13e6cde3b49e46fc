"""``hf_unified`` with a tiny Janus-Pro: text answers, generated images, text+image, seeded, end to end."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from medgen_hf.testing import JANUS_IMAGE_SIZE, request, run_folder
from medgen_hf.unified import HFUnifiedModel
from PIL import Image

from medgen_core import MedgenError, ModelOutput


@pytest.fixture(scope="module")
def janus(tiny_janus) -> HFUnifiedModel:
    return HFUnifiedModel(pretrained=str(tiny_janus), batch_size=2, max_new_tokens=4)


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_each_output_type_gets_its_parts(janus: HFUnifiedModel) -> None:
    text, image, both = janus.predict(
        [request(0), request(1, output_type="image"), request(2, images=2, output_type="text+image")]
    )
    assert isinstance(text, ModelOutput) and isinstance(text.text, str) and text.image is None
    assert isinstance(image, ModelOutput) and image.text is None
    assert isinstance(both, ModelOutput) and isinstance(both.text, str)
    for output in (image, both):
        assert output.image.mode == "RGB" and output.image.size == (JANUS_IMAGE_SIZE, JANUS_IMAGE_SIZE)


def test_the_same_seed_gives_the_same_image_and_text(tiny_janus) -> None:
    def one(seed: int) -> tuple[bytes, str]:
        model = HFUnifiedModel(pretrained=str(tiny_janus), seed=seed, max_new_tokens=4)
        (output,) = model.predict([request(3, output_type="text+image")])
        return png_bytes(output.image), output.text

    first, again, other = one(11), one(11), one(12)
    assert first == again
    assert first[0] != other[0]  # 16 image tokens sampled from 32 codes: equal only by chance 1e-24


def test_a_failed_part_fails_the_request_and_names_the_part(janus: HFUnifiedModel, monkeypatch) -> None:
    def broken(prompts, seed):
        raise ValueError("decoder exploded")

    monkeypatch.setattr(janus.images, "generate", broken)
    text, both = janus.predict([request(0), request(1, output_type="text+image")])
    assert isinstance(text, ModelOutput)
    assert isinstance(both, MedgenError) and str(both) == "image generation failed: ValueError: decoder exploded"


def test_a_checkpoint_that_cannot_draw_is_refused(tiny_qwen2_vl) -> None:
    with pytest.raises(
        MedgenError, match=r"is a 'qwen2_vl' checkpoint and hf_unified generates images only with janus"
    ):
        HFUnifiedModel(pretrained=str(tiny_qwen2_vl))


def test_hf_unified_runs_text_image_and_text_plus_image_tasks(tiny_janus, medgen_cli, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = medgen_cli(
        "run", "--tasks", "question_answering,noise_reconstruction,instruction_editing", "--model", "hf_unified",
        "--model_args", f"pretrained={tiny_janus},max_new_tokens=4,batch_size=2", "--limit", "2",
        "--output_path", out, "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    predictions, results = run_folder(out)
    by_task: dict[str, list[dict]] = {}
    for p in predictions:
        assert "error" not in p, p
        by_task.setdefault(p["task"], []).append(p)
    assert {task: len(ps) for task, ps in by_task.items()} == {
        "question_answering": 2,
        "noise_reconstruction": 2,
        "instruction_editing": 2,
    }
    assert all(isinstance(p["text"], str) and p["image"] is None for p in by_task["question_answering"])
    assert all(p["text"] is None and p["image"] for p in by_task["noise_reconstruction"])
    assert all(isinstance(p["text"], str) and p["image"] for p in by_task["instruction_editing"])
    for p in by_task["noise_reconstruction"] + by_task["instruction_editing"]:
        with Image.open(out / p["image"]) as image:
            assert image.size == (JANUS_IMAGE_SIZE, JANUS_IMAGE_SIZE)  # the model's size; scorers resize
    for task, metric in [
        ("noise_reconstruction", "ssim"),
        ("instruction_editing", "psnr"),
        ("instruction_editing", "bleu"),
    ]:
        entry = results["results"][task][metric]
        assert entry["n"] == 2 and entry["n_failed"] == 0 and isinstance(entry["mean"], float)
