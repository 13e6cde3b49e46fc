"""The ``diffusers`` model called directly: editing vs text-to-image, seeds, sizes, failures, identity, close."""

from __future__ import annotations

import io
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from medgen_diffusers.model import DiffusersModel, parse_size
from medgen_hf.testing import request
from PIL import Image

from medgen_core import MedgenError, ModelOutput
from medgen_core.types import ImageError, ImageRef


@pytest.fixture(scope="module")
def editor(tiny_instruct_pix2pix) -> DiffusersModel:
    return DiffusersModel(pretrained=str(tiny_instruct_pix2pix), steps=2, size=64, batch_size=4)


@pytest.fixture(scope="module")
def drawer(tiny_stable_diffusion) -> DiffusersModel:
    return DiffusersModel(pretrained=str(tiny_stable_diffusion), steps=2, size=64, batch_size=4)


def png_bytes(output: ModelOutput) -> bytes:
    assert isinstance(output, ModelOutput), output
    buffer = io.BytesIO()
    output.image.save(buffer, "PNG")
    return buffer.getvalue()


def test_an_editor_edits_the_input_image_for_every_image_task(editor: DiffusersModel) -> None:
    outputs = editor.predict([request(0, output_type="image"), request(1, output_type="text+image")])
    for output in outputs:
        assert isinstance(output, ModelOutput) and output.text is None
        assert output.image.mode == "RGB" and output.image.size == (64, 64)
    assert editor.describe()["class"] == "StableDiffusionInstructPix2PixPipeline"


def test_a_text_to_image_pipeline_draws_generation_and_edits_through_img2img(drawer: DiffusersModel) -> None:
    drawn, edited = drawer.predict([request(0, output_type="text+image"), request(1, output_type="image")])
    assert drawn.image.size == edited.image.size == (64, 64)
    assert type(drawer.editor).__name__ == "StableDiffusionImg2ImgPipeline"  # same weights, made on first edit
    assert drawer.editor.unet is drawer.pipe.unet


def test_the_same_seed_gives_byte_identical_images(tiny_instruct_pix2pix, tiny_stable_diffusion) -> None:
    for checkpoint, output_type in ((tiny_instruct_pix2pix, "image"), (tiny_stable_diffusion, "text+image")):
        model = DiffusersModel(pretrained=str(checkpoint), steps=2, size=64, seed=5, batch_size=4)
        other_seed = DiffusersModel(pretrained=str(checkpoint), steps=2, size=64, seed=6, batch_size=4)
        alone = [request(0, output_type=output_type)]
        first = png_bytes(model.predict(alone)[0])
        assert png_bytes(model.predict(alone)[0]) == first
        assert png_bytes(other_seed.predict(alone)[0]) != first
        # each image draws from its own generator: second in a batch, the same noise (up to float rounding)
        second = model.predict([request(1, output_type=output_type), *alone])[1]
        difference = np.abs(pixels(second) - pixels(model.predict(alone)[0]))
        assert difference.max() <= 1
        assert np.abs(pixels(other_seed.predict(alone)[0]) - pixels(model.predict(alone)[0])).mean() > 10


def pixels(output: ModelOutput) -> np.ndarray:
    return np.asarray(output.image, dtype=np.int16)


def test_without_size_an_edit_keeps_the_input_size(tiny_instruct_pix2pix) -> None:
    model = DiffusersModel(pretrained=str(tiny_instruct_pix2pix), steps=2, batch_size=4)
    small = request(0, output_type="image", size=(48, 32))
    wide = request(1, output_type="image", size=(64, 32))
    outputs = model.predict([small, wide, request(2, output_type="image", size=(48, 32))])
    assert [o.image.size for o in outputs] == [(48, 32), (64, 32), (48, 32)]  # grouped by size into batches


def test_per_request_failures(editor: DiffusersModel) -> None:
    broken = request(1, output_type="image")
    broken.images = [ImageRef("broken.png", data=b"not a png")]
    no_input = request(2, output_type="image", images=0)
    outputs = editor.predict([request(0, output_type="image"), broken, no_input, request(3)])
    assert isinstance(outputs[0], ModelOutput)
    assert isinstance(outputs[1], ImageError) and "broken.png" in str(outputs[1])
    assert isinstance(outputs[2], MedgenError) and "has none" in str(outputs[2])
    assert isinstance(outputs[3], MedgenError) and "wants only text" in str(outputs[3])


def test_a_blanked_image_is_a_failure_not_a_black_output(editor: DiffusersModel, monkeypatch) -> None:
    def checked(**kwargs):
        images = [Image.new("RGB", (64, 64)) for _ in kwargs["prompt"]]
        return SimpleNamespace(images=images, nsfw_content_detected=[False, True])

    monkeypatch.setattr(editor, "pipe", checked)
    monkeypatch.setattr(editor, "editor", checked)
    clean, blanked = editor.predict([request(0, output_type="image"), request(1, output_type="image")])
    assert isinstance(clean, ModelOutput)
    assert isinstance(blanked, MedgenError) and "safety_checker=false" in str(blanked)


def test_out_of_memory_splits_the_batch(tiny_instruct_pix2pix, monkeypatch) -> None:
    model = DiffusersModel(pretrained=str(tiny_instruct_pix2pix), steps=2, size=64, batch_size=4)
    pipe = model.pipe
    sizes = []

    def small_memory(**kwargs):
        sizes.append(len(kwargs["prompt"]))
        if len(kwargs["prompt"]) > 2:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 4.00 GiB")
        return pipe(**kwargs)

    monkeypatch.setattr(model, "editor", small_memory)
    outputs = model.predict([request(i, output_type="image") for i in range(4)])
    assert all(isinstance(o, ModelOutput) for o in outputs)
    assert sizes == [4, 2, 2] and model.batch_size == 2


def test_options_the_pipeline_cannot_take_are_refused_up_front(tiny_stable_diffusion, tiny_instruct_pix2pix) -> None:
    with pytest.raises(MedgenError, match="StableDiffusionPipeline takes no image_guidance_scale, so image_guidance="):
        DiffusersModel(pretrained=str(tiny_stable_diffusion), image_guidance=1.5)
    with pytest.raises(MedgenError, match="takes no strength, so strength="):
        DiffusersModel(pretrained=str(tiny_instruct_pix2pix), strength=0.5)
    with pytest.raises(MedgenError, match="no pipeline class 'StableDiffusionInstructPix2Pix'. Did you mean"):
        DiffusersModel(pretrained=str(tiny_instruct_pix2pix), pipeline="StableDiffusionInstructPix2Pix")
    with pytest.raises(TypeError, match=r"unknown argument\(s\) \['guidance_scale'\]"):
        DiffusersModel(pretrained=str(tiny_instruct_pix2pix), guidance_scale=7)


def test_a_named_pipeline_class_is_used(tiny_stable_diffusion) -> None:
    model = DiffusersModel(
        pretrained=str(tiny_stable_diffusion), pipeline="AutoPipelineForImage2Image", steps=2, size=64
    )
    assert type(model.pipe).__name__ == "StableDiffusionImg2ImgPipeline"
    (output,) = model.predict([request(0, output_type="text+image")])  # an editor edits for generation tasks too
    assert output.image.size == (64, 64)


def test_missing_checkpoints_say_what_to_download(tmp_path) -> None:
    (tmp_path / "sd").mkdir()
    with pytest.raises(MedgenError, match=r"has no model_index.json, so it is not a complete checkpoint"):
        DiffusersModel(pretrained=str(tmp_path / "sd"))
    with pytest.raises(MedgenError, match="timbrooks/instruct-pix2pix is not in the Hugging Face cache"):
        DiffusersModel(pretrained="timbrooks/instruct-pix2pix")


def test_sizes_parse() -> None:
    assert parse_size(512) == (512, 512)
    assert parse_size("768x512") == (768, 512)
    assert parse_size(None) is None
    with pytest.raises(TypeError, match="WIDTHxHEIGHT"):
        parse_size("big")


def test_describe_and_close(tiny_instruct_pix2pix) -> None:
    model = DiffusersModel(pretrained=str(tiny_instruct_pix2pix), steps=2, size=64, seed=9)
    description = model.describe()
    assert description["pretrained"] == str(tiny_instruct_pix2pix) and description["revision"] is None
    assert description["fingerprint"].startswith("sha256:")
    assert description["scheduler"] == "EulerAncestralDiscreteScheduler"
    assert (description["dtype"], description["device"], description["seed"]) == ("float32", "cpu", 9)
    assert model.holds_accelerator is False
    model.close()
    assert model.pipe is None and model.editor is None
    with pytest.raises(MedgenError, match="was closed"):
        model.predict([request(0, output_type="image")])
