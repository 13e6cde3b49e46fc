"""A task's generation_kwargs (lm-eval names) as generate() arguments."""

from __future__ import annotations

import pytest
from medgen_hf.generation import DEFAULT_MAX_NEW_TOKENS, generation_for

from medgen_core import MedgenError


def test_vqa_defaults_are_greedy_with_the_tasks_limit() -> None:
    generation = generation_for({"max_new_tokens": 512, "temperature": 0.0}, None, "hf")
    assert generation.generate_kwargs() == {"max_new_tokens": 512, "do_sample": False}


def test_lm_eval_names_and_the_users_limit() -> None:
    assert generation_for({"max_gen_toks": 64}, None, "hf").max_new_tokens == 64
    assert generation_for({"max_new_tokens": 512}, 16, "hf").max_new_tokens == 16  # the user's choice wins
    assert generation_for({}, None, "hf").max_new_tokens == DEFAULT_MAX_NEW_TOKENS


def test_sampling_when_asked_with_its_knobs() -> None:
    sampled = generation_for({"temperature": 0.7, "top_p": 0.9, "max_new_tokens": 8}, None, "hf")
    assert sampled.generate_kwargs() == {"max_new_tokens": 8, "do_sample": True, "temperature": 0.7, "top_p": 0.9}
    forced_greedy = generation_for({"temperature": 0.7, "top_p": 0.9, "do_sample": False}, None, "hf")
    assert forced_greedy.generate_kwargs() == {"max_new_tokens": DEFAULT_MAX_NEW_TOKENS, "do_sample": False}


def test_other_generate_arguments_pass_through() -> None:
    generation = generation_for({"num_beams": 3, "repetition_penalty": 1.1}, None, "hf")
    assert generation.generate_kwargs()["num_beams"] == 3
    assert generation.generate_kwargs()["repetition_penalty"] == 1.1


def test_until_and_stop_cut_the_answer() -> None:
    assert generation_for({"until": ["\n\n", "Question:"]}, None, "hf").cut(" B\n\nQuestion: next") == "B"
    assert generation_for({"stop": "</s>"}, None, "hf").cut("answer</s>junk") == "answer"
    assert generation_for({}, None, "hf").cut("  kept  \n") == "kept"


def test_equal_settings_share_a_batch() -> None:
    a = generation_for({"max_new_tokens": 8, "temperature": 0.0, "until": ["\n"]}, None, "hf")
    b = generation_for({"until": ["\n"], "temperature": 0.0, "max_new_tokens": 8}, None, "hf")
    assert a == b and hash(a) == hash(b)
    assert a != generation_for({"max_new_tokens": 9}, None, "hf")


def test_a_bad_limit_is_an_error() -> None:
    with pytest.raises(MedgenError, match="max_new_tokens must be a positive integer"):
        generation_for({"max_new_tokens": "many"}, None, "hf")
