"""``api``: the real litellm client against the scripted server: messages, parameters, faults, keys, budget."""

from __future__ import annotations

import base64
import io
import json

import pytest
from api_testkit import FAKE_KEY, KEY_ENV, connection, request
from medgen_api.chat import ApiModel
from medgen_litellm import CallFailed
from medgen_litellm.testing import Reply, malformed_body, rate_limited, reply, server_error, slow
from PIL import Image

from medgen_core import BudgetExhausted, MedgenError, ModelOutput


def model(server, **extra) -> ApiModel:
    return ApiModel(**connection(server, **{"concurrency": 1, **extra}))


def decoded(url: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


def test_text_reply_with_images_as_data_uris_and_usage(server):
    server.default = reply("A hypodense lesion in the right lobe.")
    one, two = model(server, max_side=96).predict([request(size=64), request(images=2, size=300)])
    assert one.text == "A hypodense lesion in the right lobe." and one.image is None
    assert one.usage["prompt_tokens"] > 0 and one.usage["completion_tokens"] == 7 and one.usage["attempts"] == 1
    first, second = server.requests
    assert len(first.image_urls) == 1 and first.texts == ["What is shown?"]  # one image: unlabelled
    assert decoded(first.image_urls[0]).size == (64, 64)  # small enough: sent as it is
    assert second.texts == ['Image "Input 1":', 'Image "Input 2":', "What is shown?"]
    assert [decoded(u).size for u in second.image_urls] == [(96, 96), (96, 96)]  # downscaled to max_side
    headers = {k.lower(): v for k, v in first.headers.items()}
    assert two.text and headers["authorization"] == f"Bearer {FAKE_KEY}"  # the key from the named variable


def test_generation_kwargs_become_litellm_parameters(server):
    kwargs = {"max_new_tokens": 64, "do_sample": False, "until": "\n\n", "num_beams": 4}
    model(server, system="You are a radiologist.").predict([request(generation_kwargs=kwargs)])
    body = server.requests[0].json
    assert body["max_tokens"] == 64 and body["temperature"] == 0.0 and body["stop"] == ["\n\n"]
    assert "num_beams" not in body and "max_new_tokens" not in body  # a local decoder's setting: not sent
    assert body["messages"][0] == {"role": "system", "content": "You are a radiologist."}
    model(server, temperature=0.7, max_tokens=9).predict([request(generation_kwargs={"max_new_tokens": 512})])
    assert server.requests[1].json["max_tokens"] == 9 and server.requests[1].json["temperature"] == 0.7


def test_faults_are_retried_or_fail_only_their_sample(server):
    server.script(rate_limited(retry_after=0.3), reply("after the wait"), server_error(500), reply("after 500"))
    waited, retried = model(server).predict([request(), request()])
    assert waited.text == "after the wait" and waited.usage["attempts"] == 2 and waited.usage["waited_s"] == 0.3
    assert server.requests[1].at - server.requests[0].at >= 0.3  # Retry-After honoured
    assert retried.text == "after 500" and retried.usage["attempts"] == 2

    server.reset()
    server.script(malformed_body(), malformed_body(), malformed_body(), reply("fine"))
    broken, fine = model(server).predict([request(), request()])
    assert isinstance(broken, CallFailed) and "after 3 attempt(s)" in str(broken)
    assert isinstance(fine, ModelOutput) and fine.text == "fine"


def test_timeouts_and_empty_replies_are_per_sample_failures(server):
    server.script(*[slow("too late", 3)] * 3, reply("   "), reply("in time"))
    late, empty, fine = model(server, timeout=0.5, max_retries=2).predict([request()] * 3)
    assert isinstance(late, CallFailed) and "timed out after 0.5 s" in str(late)
    assert isinstance(empty, MedgenError) and "empty reply" in str(empty)
    assert fine.text == "in time"


def test_provider_messages_are_scrubbed_of_the_key(server):
    body = json.dumps({"error": {"message": f"invalid key {FAKE_KEY} for this org", "type": "auth"}}).encode()
    server.script(Reply(status=401, body=body))
    (failed,) = model(server).predict([request()])
    assert isinstance(failed, CallFailed) and "HTTP 401" in str(failed)
    assert FAKE_KEY not in str(failed) and "***" in str(failed)
    assert server.calls == 1  # a bad key is final at once


@pytest.mark.parametrize("args", [{"api_key": FAKE_KEY}, {"token": "abc123456789"}, {"api_key_env": FAKE_KEY}])
def test_a_key_given_as_an_argument_is_refused(server, args):
    with pytest.raises(MedgenError) as caught:
        ApiModel(**{**connection(server), **args})
    assert "api_key_env" in str(caught.value) and FAKE_KEY not in str(caught.value)
    assert server.calls == 0


def test_unknown_arguments_and_wrong_models_are_refused_before_any_call(server):
    with pytest.raises(MedgenError, match="takes no device"):
        ApiModel(**connection(server), device="cuda")
    with pytest.raises(MedgenError, match="unknown argument.*max_new_token.*known: .*max_tokens"):
        ApiModel(**connection(server), max_new_token=3)
    with pytest.raises(MedgenError, match="model=<litellm model string> is required"):
        ApiModel(api_base=server.url)
    with pytest.raises(MedgenError, match="'gpt-image-1' as a image_generation model.*--model api_image"):
        ApiModel(**connection(server, model="gpt-image-1"))


def test_a_text_only_model_refuses_image_inputs_naming_task_and_capability(server):
    text_only = ApiModel(**connection(server, model="gpt-3.5-turbo"))
    with_image, without = text_only.predict([request(task="multiple_choice"), request(images=0)])
    assert isinstance(with_image, MedgenError)
    assert "task 'multiple_choice'" in str(with_image) and "image_in" in str(with_image)
    assert without.text == "ok" and server.calls == 1  # only the text-only request was sent
    trusted = ApiModel(**connection(server, model="gpt-3.5-turbo", vision=True))
    assert trusted.predict([request()])[0].text == "ok"


def test_budget_stops_cleanly(server):
    priced = model(server, input_cost_per_token=0.001, output_cost_per_token=0.0, budget_usd=0.001)
    first, rest = priced.predict([request(), request()])
    assert first.usage["cost_usd"] == pytest.approx(0.001 * first.usage["prompt_tokens"])
    assert isinstance(rest, BudgetExhausted) and "budget_usd=0.001" in str(rest)
    assert server.calls == 1


def test_budget_on_a_model_without_price_is_refused(server):
    with pytest.raises(MedgenError, match="no price for model 'openai/test-vlm'"):
        model(server, budget_usd=1)


def test_key_variable_must_be_set(server, monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(MedgenError, match=f"the environment variable {KEY_ENV} is not set"):
        model(server)
