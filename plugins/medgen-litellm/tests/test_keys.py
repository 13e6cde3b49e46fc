"""Keys come from environment variables only; key-like arguments are refused; messages are scrubbed."""

from __future__ import annotations

import pytest
from medgen_litellm import api_key_from_env, provider_key_variable, refuse_key_arguments, scrub

from medgen_core import MedgenError


@pytest.mark.parametrize(
    "args",
    [{"api_key": "abc123"}, {"key": "whatever"}, {"token": "t0k3n"}, {"model_id": "sk-live-abcdef123456"}],
)
def test_key_like_arguments_are_refused_naming_the_variable(args):
    with pytest.raises(MedgenError) as err:
        refuse_key_arguments(args, "--judge_args", model="openai/gpt-4o")
    message = str(err.value)
    assert "--judge_args" in message and "OPENAI_API_KEY" in message and "api_key_env=" in message
    assert list(args.values())[0] not in message  # the refused value is not echoed


def test_api_key_env_names_a_variable():
    refuse_key_arguments({"api_key_env": "MY_JUDGE_KEY", "model": "gpt-4o", "api_base": "http://h/v1"}, "x")
    with pytest.raises(MedgenError, match="NAME of an environment variable"):
        refuse_key_arguments({"api_key_env": "sk-abcdefgh12345678"}, "x")


def test_api_key_from_env(monkeypatch):
    assert api_key_from_env(None, "x") is None  # litellm reads the provider's own variable
    monkeypatch.setenv("MY_JUDGE_KEY", "secret-value-1234")
    assert api_key_from_env("MY_JUDGE_KEY", "x") == "secret-value-1234"
    monkeypatch.delenv("MY_JUDGE_KEY")
    with pytest.raises(MedgenError, match="MY_JUDGE_KEY is not set"):
        api_key_from_env("MY_JUDGE_KEY", "x")
    with pytest.raises(MedgenError, match="not an environment variable name"):
        api_key_from_env("not a name", "x")


def test_provider_variables():
    assert provider_key_variable("gpt-4o") == "OPENAI_API_KEY"
    assert provider_key_variable("anthropic/claude-sonnet-4") == "ANTHROPIC_API_KEY"
    assert provider_key_variable("gemini/gemini-2.5-flash") == "GEMINI_API_KEY"
    assert provider_key_variable("some-local-model") is None


def test_scrub_known_values_and_key_shapes():
    text = "key secret-value-1234 refused; header Bearer abcdefghijkl; sk-proj-ABCDEFGHIJKLMN in body"
    clean = scrub(text, ["secret-value-1234"])
    assert "secret-value-1234" not in clean and "abcdefghijkl" not in clean and "ABCDEFGHIJKLMN" not in clean
    assert clean.count("***") == 3


def test_a_provider_that_needs_a_key_is_refused_when_its_variable_is_unset(monkeypatch):
    from medgen_litellm import ClientSettings, LiteLLMClient

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(MedgenError, match="OPENAI_API_KEY is not set.*api_key_env=VAR.*hosted_vllm/NAME"):
        LiteLLMClient(ClientSettings("openai/qwen", api_base="http://127.0.0.1:9/v1"), where="--model api")
    with pytest.raises(MedgenError, match="'gpt-4o' needs an API key"):
        LiteLLMClient(ClientSettings("gpt-4o"))
    LiteLLMClient(ClientSettings("hosted_vllm/qwen", api_base="http://127.0.0.1:9/v1"))  # no key needed
    monkeypatch.setenv("OPENAI_API_KEY", "sk-set-0123456789")
    LiteLLMClient(ClientSettings("openai/qwen"))
