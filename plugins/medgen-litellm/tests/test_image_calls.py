"""Image generation and editing through the same client machinery, against the scripted server's image routes."""

from __future__ import annotations

import io

import pytest
from medgen_litellm import CallFailed, ClientSettings, ImageCall, LiteLLMClient, RetryPolicy
from medgen_litellm.testing import Reply, rate_limited, server_error, small_png
from PIL import Image

from medgen_core import ImageRef


@pytest.fixture
def client(server, monkeypatch):
    monkeypatch.setenv("MEDGEN_TEST_KEY", "sk-image-0123456789abcdef")
    settings = ClientSettings(
        "openai/gpt-image-1", api_base=server.url, api_key_env="MEDGEN_TEST_KEY", concurrency=1,
        retry=RetryPolicy(max_retries=2, backoff_s=0.05),
    )  # fmt: skip
    return LiteLLMClient(settings)


def test_generation_returns_decodable_images_and_passes_params(client, server):
    server.script(Reply(image=small_png(shade=42, size=16)))
    (result,) = client.images([ImageCall("an axial CT slice", params={"size": "256x256", "n": 2})])
    assert len(result.value) == 2 and result.text == "an axial CT slice"
    assert Image.open(io.BytesIO(result.value[0])).getpixel((3, 3)) == 42
    (request,) = server.requests
    assert request.path == "/v1/images/generations"
    assert request.json["prompt"] == "an axial CT slice" and request.json["size"] == "256x256"


def test_edit_uploads_the_input_images(client, server, tmp_path):
    first, second = small_png(shade=10), small_png(shade=20)
    path = tmp_path / "in.png"
    path.write_bytes(second)
    results = client.images(
        [ImageCall("remove the noise", images=[first]), ImageCall("both", images=[first, ImageRef("in.png", path)])]
    )
    assert all(isinstance(r.value[0], bytes) for r in results)
    one, two = server.requests
    assert one.path == two.path == "/v1/images/edits" and one.json["prompt"] == "remove the noise"
    assert list(one.files.values()) == [[first]] and list(two.files.values()) == [[first, second]]


def test_image_faults(client, server):
    server.script(rate_limited(retry_after=0.1), server_error(500), Reply(), Reply(image=b"not an image"))
    fine, bad = client.images([ImageCall("first"), ImageCall("second")])
    assert fine.usage.attempts == 3 and fine.value
    assert isinstance(bad, CallFailed) and "not a valid image" in str(bad)
    assert server.calls == 4
