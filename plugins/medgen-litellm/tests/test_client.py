"""The real litellm client against the scripted loopback server: order, concurrency, faults, budget, cache."""

from __future__ import annotations

import pytest
from medgen_litellm import CallFailed, ChatCall, ClientSettings, LiteLLMClient, ResponseCache, RetryPolicy
from medgen_litellm.testing import (
    Reply,
    malformed_body,
    rate_limited,
    reply,
    server_error,
    slow,
)

from medgen_core import BudgetExhausted, MedgenError, ScoreFailure

FAKE_KEY = "sk-fake-0123456789abcdefXYZ"
FAST_RETRY = RetryPolicy(max_retries=2, backoff_s=0.05, max_wait_s=2.0)


def client(server, **kwargs) -> LiteLLMClient:
    settings = {"model": "openai/test-model", "api_base": server.url, "api_key_env": "MEDGEN_TEST_KEY"}
    return LiteLLMClient(ClientSettings(**{**settings, "retry": FAST_RETRY, **kwargs}), where="test")


@pytest.fixture(autouse=True)
def fake_key(monkeypatch):
    monkeypatch.setenv("MEDGEN_TEST_KEY", FAKE_KEY)


def ask(text: str) -> ChatCall:
    return ChatCall([{"role": "user", "content": text}])


def echo(request) -> Reply:
    return reply("echo: " + request.texts[-1])


def test_results_in_order_with_bounded_concurrency(server):
    server.default = echo
    server.latency_s = 0.05
    c = client(server, concurrency=4)
    results = c.chat([ask(f"question {i}") for i in range(12)])
    assert [r.text for r in results] == [f"echo: question {i}" for i in range(12)]
    assert server.calls == 12 and 2 <= server.max_in_flight <= 4
    assert server.requests[0].headers.get("Authorization", server.requests[0].headers.get("authorization")) == (
        f"Bearer {FAKE_KEY}"  # the key from the named variable reached the server
    )
    usage = results[0].usage
    assert usage.prompt_tokens == 2 and usage.completion_tokens == 3 and usage.attempts == 1
    assert usage.cost_usd is None  # litellm has no price for an unknown model: unknown, not 0
    c.close()


def test_rate_limit_honours_retry_after(server):
    server.script(rate_limited(retry_after=1), reply("fine"))
    (result,) = client(server).chat([ask("hi")])
    assert result.text == "fine" and result.usage.attempts == 2
    assert result.usage.waited_s == pytest.approx(1.0)  # the server's wait, not the 0.05 s backoff
    assert server.requests[1].at - server.requests[0].at >= 1.0


def test_retry_after_ms_and_server_errors_are_retried(server):
    server.script(rate_limited(retry_after=0.2, header="retry-after-ms"), server_error(503), reply("fine"))
    (result,) = client(server).chat([ask("hi")])
    assert result.text == "fine" and result.usage.attempts == 3 and result.usage.waited_s >= 0.2


def test_malformed_body_is_retried_then_fails(server):
    server.default = malformed_body()
    (result,) = client(server).chat([ask("hi")])
    assert isinstance(result, CallFailed) and "after 3 attempt(s)" in str(result)
    assert server.calls == 3  # 1 + max_retries, litellm's own retries off


def test_slow_reply_times_out_and_others_finish(server):
    server.script(slow("too late", delay_s=5), slow("too late", delay_s=5))
    results = client(server, timeout_s=0.5, retry=RetryPolicy(max_retries=1, backoff_s=0.01)).chat([ask("slow")])
    assert isinstance(results[0], CallFailed) and "timed out" in str(results[0]).lower() or "Timeout" in str(results[0])
    assert server.calls == 2
    assert client(server, timeout_s=0.5).chat([ask("fast")])[0].text == "ok"


def test_client_errors_are_final_and_secrets_scrubbed(server):
    leak = {"error": {"message": f"Incorrect API key provided: {FAKE_KEY}", "type": "invalid_request_error"}}
    import json

    server.script(Reply(status=401, body=json.dumps(leak).encode()))
    (result,) = client(server).chat([ask("hi")])
    assert isinstance(result, CallFailed) and server.calls == 1  # a bad key is not retried
    assert FAKE_KEY not in str(result) and "***" in str(result) and "401" in str(result)
    assert result.__cause__ is None and result.__context__ is None


def test_parse_failures_are_the_items_result_and_never_cached(server, tmp_path):
    def parse(text: str) -> int:
        if not text.isdigit():
            raise ScoreFailure("not a number", {"raw": text})
        return int(text)

    cache = ResponseCache(tmp_path / "c.sqlite")
    server.script(reply("seven"), reply("7"))
    calls = [ChatCall([{"role": "user", "content": "a"}], cache_key="A"), ChatCall([{"role": "user", "content": "b"}])]
    first = client(server, concurrency=1).chat(calls, parse=parse)
    assert isinstance(first[0], ScoreFailure) and first[0].details == {"raw": "seven"}
    assert first[1].value == 7
    assert len(cache) == 0 or cache.get("A") is None
    c = LiteLLMClient(client(server).settings, cache=cache)
    server.script(reply("8"))
    assert c.chat([calls[0]], parse=parse)[0].value == 8
    assert cache.get("A") == {"text": "8"}


def test_cache_hit_makes_no_call_and_builds_no_message(server, tmp_path):
    built = []

    def messages():
        built.append(1)
        return [{"role": "user", "content": "expensive images"}]

    cache = ResponseCache(tmp_path / "c.sqlite")
    c = LiteLLMClient(client(server).settings, cache=cache)
    first = c.chat([ChatCall(messages, cache_key="K")])[0]
    assert first.text == "ok" and not first.usage.cached and built == [1] and server.calls == 1
    again = LiteLLMClient(client(server).settings, cache=ResponseCache(tmp_path / "c.sqlite"))  # another process
    second = again.chat([ChatCall(messages, cache_key="K")])[0]
    assert second.text == "ok" and second.usage.cached and second.usage.cost_usd is None
    assert built == [1] and server.calls == 1


def test_budget_stops_cleanly(server):
    prices = {"input_cost_per_token": 0.01, "output_cost_per_token": 0.01}
    server.default = Reply(content="ok", prompt_tokens=10, completion_tokens=10)  # $0.20 a call
    c = client(server, concurrency=1, budget_usd=0.5, prices=prices)
    results = c.chat([ask(f"q{i}") for i in range(6)])
    done = [r for r in results if not isinstance(r, BaseException)]
    skipped = [r for r in results if isinstance(r, BudgetExhausted)]
    assert len(done) == 3 and len(skipped) == 3 and server.calls == 3  # 0.2, 0.4, 0.6 >= 0.5: stop
    assert done[0].usage.cost_usd == pytest.approx(0.2)
    assert c.budget.spent_usd == pytest.approx(0.6)
    assert "budget_usd=0.5" in str(skipped[0])


def test_budget_on_known_model_uses_litellm_prices(server):
    c = client(server, model="openai/gpt-4o", budget_usd=1.0)
    (result,) = c.chat([ask("hi there")])
    assert result.usage.cost_usd and result.usage.cost_usd > 0


def test_budget_without_a_price_is_refused(server):
    with pytest.raises(MedgenError, match="no price for model 'openai/test-model'"):
        client(server, budget_usd=1.0)


def test_missing_key_variable_is_named(server, monkeypatch):
    monkeypatch.delenv("MEDGEN_TEST_KEY")
    with pytest.raises(MedgenError, match="environment variable MEDGEN_TEST_KEY is not set"):
        client(server)
