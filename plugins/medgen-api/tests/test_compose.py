"""``compose``: model specs, the VLM's JSON plan and its fallback, halves that are any registered model."""

from __future__ import annotations

import io
import json

import pytest
from api_testkit import FAKE_KEY, KEY_ENV, png, request
from medgen_api.compose import ComposeModel
from medgen_api.spec import parse_spec
from medgen_litellm.testing import Reply, json_reply, reply, server_error, small_png
from PIL import Image

from medgen_core import MedgenError


def api_spec(server, name: str = "api", model: str = "openai/vlm", extra: str = "") -> str:
    return f'"{name}:model={model},api_base={server.url},api_key_env={KEY_ENV},concurrency=1,max_retries=1{extra}"'


def compose(server, **extra) -> ComposeModel:
    # specs are given as --model_args values are: quoted, then unquoted by the core's parser
    vlm = api_spec(server).strip('"')
    image = api_spec(server, "api_image", "openai/gpt-image-1").strip('"')
    return ComposeModel(vlm=vlm, image=image, **extra)


def test_spec_syntax():
    assert parse_spec("classical", "vlm") == ("classical", {})
    name, args = parse_spec('api:model=openai/gpt-4o,max_side=768,system="Be brief, be precise.",vision=true', "vlm")
    assert name == "api" and args == {
        "model": "openai/gpt-4o",
        "max_side": 768,
        "system": "Be brief, be precise.",
        "vision": True,
    }
    with pytest.raises(MedgenError, match="starts with a registered model's name"):
        parse_spec("model=openai/gpt-4o", "vlm")
    with pytest.raises(MedgenError, match="unbalanced double quote"):
        parse_spec('api:system="open', "vlm")


def test_specs_inside_model_args_keep_their_commas():
    from medgen_core.cli_args import parse_kv

    outer = parse_kv('vlm="api:model=x,system=\\"a, b\\"",image=classical', "--model_args")
    assert outer == {"vlm": 'api:model=x,system="a, b"', "image": "classical"}
    assert parse_spec(outer["vlm"], "vlm") == ("api", {"model": "x", "system": "a, b"})


def test_edit_task_vlm_plans_then_the_image_model_edits(server):
    server.script(
        json_reply({"answer": "Noise removed.", "image_prompt": "Denoise, keep edges."}, "fenced"),
        Reply(image=small_png(shade=150, size=20)),
    )
    edit = request(task="noise_reconstruction", fmt="edit", output_type="image", prompt="Remove the noise.")
    (out,) = compose(server).predict([edit])
    vlm_call, image_call = server.requests
    assert vlm_call.path == "/v1/chat/completions" and len(vlm_call.image_urls) == 1
    assert vlm_call.texts[-1].startswith("Remove the noise.\n\nYou work with an image-editing model")
    assert image_call.path == "/v1/images/edits" and image_call.json["prompt"] == "Denoise, keep edges."
    assert list(image_call.files.values()) == [[png(40)]]
    assert out.text is None and Image.open(io.BytesIO(out.image)).getpixel((0, 0)) == 150
    raw = json.loads(out.raw)
    assert raw["image_prompt"] == "Denoise, keep edges." and raw["fallback"] is None and raw["edited_input"]
    assert "Noise removed." in raw["vlm_reply"] and raw["image_raw"] == "revised prompt: Denoise, keep edges."
    usage = out.usage
    assert usage["vlm"]["attempts"] == 1 and usage["image"]["attempts"] == 1
    assert usage["prompt_tokens"] == usage["vlm"]["prompt_tokens"] + usage["image"]["prompt_tokens"] > 0
    assert usage["vlm"]["latency_s"] > 0 and usage["image"]["latency_s"] > 0


def test_generation_task_generates_from_the_prompt_and_keeps_the_answer(server):
    server.script(json_reply({"answer": "It grows.", "image_prompt": "Axial CT, larger lesion."}, "prose"), Reply())
    gen = request(task="disease_prediction", fmt="gen", output_type="text+image", prompt="Predict the follow-up.")
    (out,) = compose(server).predict([gen])
    assert "does NOT see the input image" in server.requests[0].texts[-1]
    image_call = server.requests[1]
    assert image_call.path == "/v1/images/generations" and image_call.json["prompt"] == "Axial CT, larger lesion."
    assert out.text == "It grows." and out.image


def test_a_reply_that_is_not_json_falls_back_and_says_so(server):
    server.script(reply("The lesion grows larger."), json_reply({"answer": "Only text."}), Reply(), Reply())
    gen = request(fmt="gen", output_type="text+image", prompt="Predict the follow-up.")
    no_json, no_prompt = compose(server).predict([gen, gen])  # both VLM calls first, then both image calls
    assert no_json.text == "The lesion grows larger."
    assert [r.json["prompt"] for r in server.requests[2:]] == ["Predict the follow-up."] * 2  # never empty
    assert "no JSON object" in json.loads(no_json.raw)["fallback"] and "no JSON object" in no_json.usage["fallback"]
    assert no_prompt.text == "Only text." and "image_prompt is missing or empty" in no_prompt.usage["fallback"]


def test_text_tasks_ask_the_vlm_alone_and_a_failing_half_fails_its_sample(server):
    server.script(reply("Axial CT."), json_reply({"answer": "a", "image_prompt": "b"}), server_error(500))
    server.script(server_error(500))
    text, failed = compose(server).predict([request(), request(fmt="edit", output_type="image")])
    assert text.text == "Axial CT." and text.usage["vlm"]["completion_tokens"] == 2 and "image" not in text.usage
    assert server.requests[0].texts == ["What is shown?"]  # no JSON protocol for a text task
    assert isinstance(failed, MedgenError) and "the image half (api_image) failed" in str(failed)
    assert "HTTP 500" in str(failed) and server.calls == 4


def test_halves_can_be_any_registered_model(server):
    server.script(json_reply({"answer": "Denoised.", "image_prompt": "Denoise."}))
    local = ComposeModel(vlm=api_spec(server).strip('"'), image="identity")
    (out,) = local.predict([request(fmt="edit", output_type="image")])
    assert out.image.ref == "in0.png" and server.calls == 1  # identity returned the input image
    classical = ComposeModel(vlm="classical", image="classical", image_mode="edit")
    (both,) = classical.predict([request(task="disease_prediction", fmt="gen", output_type="text+image")])
    assert both.text and both.image is not None and json.loads(both.raw)["edited_input"]
    assert "no JSON object" in both.usage["fallback"] and "cost_usd" not in both.usage  # local: no cost at all


def test_construction_errors_name_the_half(server):
    with pytest.raises(MedgenError, match="vlm: argument 'api_key' looks like an API key.*api_key_env"):
        ComposeModel(vlm=f"api:model=openai/x,api_key={FAKE_KEY}", image="identity")
    with pytest.raises(MedgenError, match="image: model 'api' lacks image_out"):
        ComposeModel(vlm="classical", image=api_spec(server).strip('"'))
    with pytest.raises(MedgenError, match="both halves are required"):
        ComposeModel(vlm="classical")
    with pytest.raises(MedgenError, match="cannot be compose itself"):
        ComposeModel(vlm="compose:vlm=classical", image="identity")
    with pytest.raises(MedgenError, match="unknown argument.*model.*inside its spec"):
        ComposeModel(vlm="classical", image="identity", model="x")
    assert server.calls == 0
