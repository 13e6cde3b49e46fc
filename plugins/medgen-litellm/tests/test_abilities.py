"""What litellm's offline model table says a model string can do; unknown models are unknown, not refused."""

from __future__ import annotations

from medgen_litellm import find_json_object, model_abilities
from medgen_litellm.usage import has_price


def test_known_chat_models():
    gpt4o = model_abilities("gpt-4o")
    assert gpt4o.known and gpt4o.chat and gpt4o.vision and gpt4o.chat_image_output is False
    assert gpt4o.image_generation is False and gpt4o.image_edit is False
    text_only = model_abilities("gpt-3.5-turbo")
    assert text_only.chat and text_only.vision is False


def test_image_and_unified_models():
    image = model_abilities("gpt-image-1")
    assert image.chat is False and image.image_generation and image.image_edit
    unified = model_abilities("gemini/gemini-2.5-flash-image")
    assert unified.chat and unified.vision and unified.chat_image_output and unified.image_edit


def test_unknown_models_are_unknown():
    served = model_abilities("hosted_vllm/Qwen/Qwen2.5-VL-7B-Instruct")
    assert not served.known
    assert (served.chat, served.vision, served.image_generation, served.image_edit) == (None,) * 4


def test_image_models_priced_per_image_can_take_a_budget():
    assert has_price("gemini/imagen-3.0-fast-generate-001")  # output_cost_per_image only
    assert not has_price("openai/not-a-known-model")


def test_find_json_object_in_fences_and_prose():
    wanted = ("answer", "image_prompt")
    assert find_json_object('```json\n{"answer": "a", "image_prompt": "b"}\n```', wanted) == {
        "answer": "a",
        "image_prompt": "b",
    }
    assert find_json_object('Sure! {"note": 1} then {"answer": "x"} done.', wanted) == {"answer": "x"}
    assert find_json_object('{"answer": "cut off', wanted) is None
    assert find_json_object("no json here", wanted) is None
