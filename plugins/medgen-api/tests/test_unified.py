"""``api_unified``: one chat call returns the text and the image (``message.images``); both are kept."""

from __future__ import annotations

import io

from api_testkit import connection, request
from medgen_api.chat import UnifiedModel
from medgen_litellm.testing import image_reply, reply, small_png
from PIL import Image

from medgen_core import MedgenError


def model(server, **extra) -> UnifiedModel:
    return UnifiedModel(**connection(server, model="openai/unified", concurrency=1, **extra))


def test_text_and_image_from_one_call(server):
    server.script(image_reply("The lesion has grown.", small_png(shade=99, size=24), small_png()))
    (out,) = model(server).predict([request(task="disease_prediction", fmt="gen", output_type="text+image")])
    assert out.text == "The lesion has grown." and Image.open(io.BytesIO(out.image)).getpixel((0, 0)) == 99
    assert out.raw == "2 images returned; the first is kept"
    (sent,) = server.requests
    assert sent.json["modalities"] == ["image", "text"] and len(sent.image_urls) == 1


def test_text_tasks_ask_for_text_only_and_image_tasks_keep_the_commentary(server):
    server.script(reply("Axial CT."), image_reply("Here is the denoised slice."))
    text, image = model(server).predict([request(), request(fmt="edit", output_type="image")])
    assert text.text == "Axial CT." and text.image is None and "modalities" not in server.requests[0].json
    assert image.text is None and image.image and image.raw == "text: Here is the denoised slice."


def test_a_missing_image_keeps_the_text_and_nothing_at_all_fails(server):
    server.script(reply("I cannot draw."), reply("I cannot draw."))
    partial, nothing = model(server).predict(
        [request(fmt="gen", output_type="text+image"), request(fmt="edit", output_type="image")]
    )
    assert partial.text == "I cannot draw." and partial.image is None  # the run records the missing image
    assert isinstance(nothing, MedgenError) and "returned nothing the image task wants" in str(nothing)


def test_a_text_only_chat_model_is_refused_for_image_tasks(server):
    gpt4o = UnifiedModel(**connection(server, model="gpt-4o"))
    (refused,) = gpt4o.predict([request(task="style_transfer", fmt="edit", output_type="image")])
    assert isinstance(refused, MedgenError) and "task 'style_transfer'" in str(refused)
    assert "image_out" in str(refused) and server.calls == 0
