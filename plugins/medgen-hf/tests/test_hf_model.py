"""The ``hf`` model called directly: batching, images, sampling, failures, memory errors, identity, close."""

from __future__ import annotations

import pytest
import torch
from medgen_hf.testing import request
from medgen_hf.vlm import HFModel

from medgen_core import MedgenError, ModelOutput
from medgen_core.types import ImageError, ImageRef


@pytest.fixture(scope="module")
def qwen(tiny_qwen2_vl) -> HFModel:
    return HFModel(pretrained=str(tiny_qwen2_vl), batch_size=4)


def texts(outputs: list) -> list[str]:
    assert all(isinstance(o, ModelOutput) for o in outputs), outputs
    return [o.text for o in outputs]


def test_batch_of_one_and_several_images_gives_one_text_each(qwen: HFModel) -> None:
    outputs = qwen.predict([request(0), request(1, images=3), request(2), request(3, images=2)])
    assert len(outputs) == 4
    for output in outputs:
        assert isinstance(output, ModelOutput) and isinstance(output.text, str) and output.image is None
        assert 1 <= output.usage["completion_tokens"] <= 5
    # three images need more prompt tokens than one (each image is a block of image tokens)
    assert outputs[1].usage["prompt_tokens"] > outputs[0].usage["prompt_tokens"]


def test_left_padding_makes_batched_text_equal_to_one_by_one(qwen: HFModel) -> None:
    requests = [request(0), request(1, images=3), request(2, images=2)]
    batched = texts(qwen.predict(requests))
    alone = [texts(qwen.predict([r]))[0] for r in requests]
    assert batched == alone


def test_greedy_is_deterministic_and_sampling_is_seeded(tiny_qwen2_vl, qwen: HFModel) -> None:
    greedy = [request(i, generation_kwargs={"max_new_tokens": 5, "temperature": 0.0}) for i in range(3)]
    assert texts(qwen.predict(greedy)) == texts(qwen.predict(greedy))
    sampled = [
        request(i, generation_kwargs={"max_new_tokens": 8, "do_sample": True, "temperature": 1.0}) for i in range(3)
    ]
    first = texts(HFModel(pretrained=str(tiny_qwen2_vl), batch_size=3, seed=7).predict(sampled))
    again = texts(HFModel(pretrained=str(tiny_qwen2_vl), batch_size=3, seed=7).predict(sampled))
    other = texts(HFModel(pretrained=str(tiny_qwen2_vl), batch_size=3, seed=8).predict(sampled))
    assert first == again
    assert first != other  # 8 tokens drawn from ~400: equal only by a 1e-20 chance


def test_task_stop_strings_end_the_answer(qwen: HFModel) -> None:
    free = texts(qwen.predict([request(5, generation_kwargs={"max_new_tokens": 8})]))[0]
    stop = next(c for c in free[1:] if not c.isspace())  # a character the greedy answer contains
    cut = texts(qwen.predict([request(5, generation_kwargs={"max_new_tokens": 8, "until": [stop]})]))[0]
    assert cut == free[: free.index(stop)].strip()


def test_a_broken_image_fails_only_its_request(qwen: HFModel) -> None:
    bad = request(1)
    bad.images = [ImageRef("broken.png", data=b"not a png")]
    outputs = qwen.predict([request(0), bad, request(2)])
    assert isinstance(outputs[0], ModelOutput) and isinstance(outputs[2], ModelOutput)
    assert isinstance(outputs[1], ImageError) and "broken.png" in str(outputs[1])


def test_an_image_task_is_refused_per_request(qwen: HFModel) -> None:
    outputs = qwen.predict([request(0, output_type="image"), request(1, output_type="text+image")])
    assert isinstance(outputs[0], MedgenError) and "wants an image" in str(outputs[0])
    assert isinstance(outputs[1], ModelOutput) and outputs[1].text is not None and outputs[1].image is None


def test_a_request_the_processor_rejects_fails_alone(qwen: HFModel, monkeypatch) -> None:
    original = qwen.vlm.generate_text

    def picky(prompts, generation, seed):  # the processor or model raising for one input
        if any("Case 1:" in text for text, _ in prompts):
            raise ValueError("image features and image tokens do not match")
        return original(prompts, generation, seed)

    monkeypatch.setattr(qwen.vlm, "generate_text", picky)
    outputs = qwen.predict([request(0), request(1), request(2)])
    assert isinstance(outputs[0], ModelOutput) and isinstance(outputs[2], ModelOutput)
    assert isinstance(outputs[1], ValueError) and "do not match" in str(outputs[1])


def test_out_of_memory_splits_the_batch_and_lowers_batch_size(tiny_qwen2_vl, monkeypatch) -> None:
    model = HFModel(pretrained=str(tiny_qwen2_vl), batch_size=4)
    generate = model.vlm.model.generate
    sizes = []

    def small_memory(**kwargs):
        sizes.append(kwargs["input_ids"].shape[0])
        if kwargs["input_ids"].shape[0] > 1:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return generate(**kwargs)

    monkeypatch.setattr(model.vlm.model, "generate", small_memory)
    outputs = model.predict([request(i) for i in range(4)])
    assert all(isinstance(o, ModelOutput) for o in outputs)
    assert sizes == [4, 2, 1, 1, 2, 1, 1]
    assert model.batch_size == 1  # later batches start at the size that fitted


def test_one_sample_too_big_is_one_clear_failure(tiny_qwen2_vl, monkeypatch) -> None:
    model = HFModel(pretrained=str(tiny_qwen2_vl), batch_size=2)

    def no_memory(**kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 80.00 GiB")

    monkeypatch.setattr(model.vlm.model, "generate", no_memory)
    outputs = model.predict([request(0), request(1)])
    for output in outputs:
        assert isinstance(output, MedgenError)
        assert "does not fit in memory" in str(output) and "device_map=auto" in str(output)
        assert "\n" not in str(output)


def test_qwen2_5_vl_and_bfloat16(tiny_qwen2_5_vl) -> None:
    model = HFModel(pretrained=str(tiny_qwen2_5_vl), dtype="bfloat16", batch_size=2)
    outputs = model.predict([request(0, images=2), request(1)])
    assert len(texts(outputs)) == 2
    description = model.describe()
    assert description["class"] == "Qwen2_5_VLForConditionalGeneration"
    assert description["dtype"] == "bfloat16"


def test_describe_names_the_checkpoint(tiny_qwen2_vl, qwen: HFModel) -> None:
    description = qwen.describe()
    assert description["class"] == "Qwen2VLForConditionalGeneration"
    assert description["pretrained"] == str(tiny_qwen2_vl)
    assert description["revision"] is None  # a folder built here has no hub commit
    assert description["fingerprint"].startswith("sha256:") and len(description["fingerprint"]) == 71
    assert description["dtype"] == "float32" and description["device"] == "cpu"
    assert description["batch_size"] == 4 and description["seed"] == 1234
    assert qwen.holds_accelerator is False


def test_close_releases_the_weights(tiny_qwen2_vl) -> None:
    model = HFModel(pretrained=str(tiny_qwen2_vl))
    vlm = model.vlm
    model.close()
    assert model.vlm is None and vlm.model is None and vlm.processor is None
    with pytest.raises(MedgenError, match="was closed"):
        model.predict([request(0)])
    model.close()  # twice is harmless


def test_device_cuda_without_a_gpu_is_a_clear_error(tiny_qwen2_vl) -> None:
    if torch.cuda.is_available():  # on a GPU machine the same call must work
        model = HFModel(pretrained=str(tiny_qwen2_vl), device="cuda")
        assert model.describe()["device"].startswith("cuda:0 (") and model.holds_accelerator
        assert len(texts(model.predict([request(0), request(1, images=2)]))) == 2
        return
    with pytest.raises(MedgenError, match="torch sees no CUDA GPU"):
        HFModel(pretrained=str(tiny_qwen2_vl), device="cuda")


def test_bad_arguments_name_themselves(tiny_qwen2_vl) -> None:
    with pytest.raises(TypeError, match=r"unknown argument\(s\) \['temprature'\]"):
        HFModel(pretrained=str(tiny_qwen2_vl), temprature=0.5)
    with pytest.raises(TypeError, match="batch_size must be a positive integer"):
        HFModel(pretrained=str(tiny_qwen2_vl), batch_size=0)
    with pytest.raises(MedgenError, match="unknown dtype 'float8'"):
        HFModel(pretrained=str(tiny_qwen2_vl), dtype="float8")
    with pytest.raises(MedgenError, match="needs pretrained="):
        HFModel()


def test_each_image_becomes_rgb_and_one_image_block(qwen: HFModel) -> None:
    prompt, images = qwen.vlm.prepare(request(0, images=2))
    assert [(img.mode, img.size) for img in images] == [("RGB", (96, 80))] * 2
    assert prompt.count("<|vision_start|><|image_pad|><|vision_end|>") == 2
    assert prompt.endswith("Case 0: what organ is shown?<|im_end|>\n<|im_start|>assistant\n")
