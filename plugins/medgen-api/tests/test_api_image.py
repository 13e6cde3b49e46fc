"""``api_image``: edits through /v1/images/edits, generations through /v1/images/generations, real PNGs back."""

from __future__ import annotations

import io

import pytest
from api_testkit import connection, png, request
from medgen_api.image import ApiImageModel
from medgen_litellm import CallFailed
from medgen_litellm.testing import Reply, rate_limited, small_png
from PIL import Image

from medgen_core import MedgenError


def model(server, **extra) -> ApiImageModel:
    return ApiImageModel(**connection(server, model="openai/gpt-image-1", concurrency=1, **extra))


def test_edit_uploads_the_input_image_and_generation_sends_the_prompt(server):
    server.script(Reply(image=small_png(shade=200, size=32)), Reply(image=small_png(shade=30, size=16)))
    edit = request(task="noise_reconstruction", fmt="edit", output_type="image", prompt="Remove the noise.")
    generate = request(task="disease_prediction", fmt="gen", output_type="image", prompt="An axial CT.", images=0)
    edited, generated = model(server, size="256x256", quality="low", seed=7).predict([edit, generate])
    assert Image.open(io.BytesIO(edited.image)).getpixel((1, 1)) == 200
    assert Image.open(io.BytesIO(generated.image)).size == (16, 16)
    first, second = server.requests
    assert first.path == "/v1/images/edits" and first.json["prompt"] == "Remove the noise."
    assert list(first.files.values()) == [[png(40)]]  # the input image's own bytes
    assert second.path == "/v1/images/generations" and second.json["prompt"] == "An axial CT."
    assert second.json["size"] == "256x256" and second.json["quality"] == "low" and second.json["seed"] == 7
    assert first.json["size"] == "256x256"  # multipart field
    assert edited.raw == "revised prompt: Remove the noise." and edited.usage["attempts"] == 1


def test_task_settings_apply_unless_the_model_sets_them(server):
    gen = request(fmt="gen", output_type="image", images=0, generation_kwargs={"size": "512x512", "max_new_tokens": 9})
    model(server).predict([gen])
    assert server.requests[0].json["size"] == "512x512" and "max_new_tokens" not in server.requests[0].json
    model(server, size="64x64").predict([gen])
    assert server.requests[1].json["size"] == "64x64"


def test_faults_and_wrong_image_bytes_fail_only_their_sample(server):
    server.script(rate_limited(retry_after=0.1), Reply(), Reply(image=b"GIF89a-but-not-really"))
    good, bad = model(server).predict([request(fmt="edit", output_type="image")] * 2)
    assert good.image and good.usage["attempts"] == 2
    assert isinstance(bad, CallFailed) and "not a valid image" in str(bad)


def test_chat_models_are_refused_and_empty_prompts_never_sent(server):
    with pytest.raises(MedgenError, match="'gpt-4o' as a chat model with no image generation or editing"):
        ApiImageModel(**connection(server, model="gpt-4o"))
    (empty,) = model(server).predict([request(fmt="gen", output_type="image", prompt="  ", images=0)])
    assert isinstance(empty, MedgenError) and "prompt for the image model is empty" in str(empty)
    assert server.calls == 0
