"""Chat replies that carry images (``message.images``, the Gemini/OpenRouter shape), through the real client."""

from __future__ import annotations

import io

from medgen_litellm import CallFailed, ChatCall, ClientSettings, LiteLLMClient, ResponseCache, RetryPolicy
from medgen_litellm.testing import Reply, image_reply, small_png
from PIL import Image


def client(server, cache=None) -> LiteLLMClient:
    settings = ClientSettings(
        "openai/unified", api_base=server.url, concurrency=1, retry=RetryPolicy(max_retries=0)
    )  # one at a time: scripted replies in order
    return LiteLLMClient(settings, cache=cache)


def test_images_in_a_chat_reply_come_back_decoded(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-chat-images-0123456789")
    server.script(image_reply("the edited slice", small_png(shade=77, size=12), small_png(shade=5)), Reply("text only"))
    both, text_only = client(server).chat([_ask("a"), _ask("b")])
    assert both.text == "the edited slice" and len(both.images) == 2
    assert Image.open(io.BytesIO(both.images[0])).getpixel((3, 3)) == 77
    assert text_only.text == "text only" and text_only.images == []


def test_bad_image_bytes_or_a_link_fail_the_item(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-chat-images-0123456789")
    server.script(Reply("broken", images=[b"not a png at all"]))
    (bad,) = client(server).chat([_ask("x")])
    assert isinstance(bad, CallFailed) and "image 0 that is not a valid image" in str(bad)

    server.routes["/v1/chat/completions"] = _with_link_image  # a provider answering with a link, not data
    (link,) = client(server).chat([_ask("y")])
    assert isinstance(link, CallFailed) and "as a link, not as data" in str(link)


def test_replies_with_images_are_not_cached(server, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-chat-images-0123456789")
    cache = ResponseCache(tmp_path / "replies.sqlite")
    server.default = image_reply("with image")
    first = client(server, cache).chat([ChatCall([{"role": "user", "content": "q"}], cache_key="k1")])
    again = client(server, cache).chat([ChatCall([{"role": "user", "content": "q"}], cache_key="k1")])
    assert first[0].images and again[0].images and server.calls == 2  # asked again: the image was not stored


def _ask(text: str) -> ChatCall:
    return ChatCall([{"role": "user", "content": text}])


def _with_link_image(request, answer) -> bytes:
    import json

    from medgen_litellm.testing import chat_completion_body

    body = json.loads(chat_completion_body(request, answer))
    body["choices"][0]["message"]["images"] = [{"type": "image_url", "image_url": {"url": "https://x.test/i.png"}}]
    return json.dumps(body).encode()
