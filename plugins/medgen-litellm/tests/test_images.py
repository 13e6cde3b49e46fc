"""Images become data URIs no larger than max_side; small 8-bit PNG/JPEG pass through unchanged."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from medgen_litellm import image_data_uri, labelled_image_parts
from PIL import Image

from medgen_core import ImageRef, MedgenError


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def decode(uri: str) -> tuple[str, Image.Image, bytes]:
    head, data = uri.split(",", 1)
    raw = base64.b64decode(data)
    return head, Image.open(io.BytesIO(raw)), raw


def test_large_image_is_downscaled_keeping_aspect(tmp_path):
    path = tmp_path / "big.png"
    path.write_bytes(png(Image.new("RGB", (2000, 1000), "red")))
    head, img, _ = decode(image_data_uri(ImageRef("big.png", path), max_side=512))
    assert head == "data:image/png;base64" and img.size == (512, 256)


def test_small_png_passes_unchanged():
    data = png(Image.fromarray(np.arange(64 * 48, dtype=np.uint8).reshape(48, 64) % 251))
    _, img, raw = decode(image_data_uri(ImageRef("s.png", data=data), max_side=1024))
    assert raw == data and img.size == (64, 48)


def test_16bit_image_is_normalised_to_8bit():
    arr = (np.arange(32 * 32, dtype=np.uint16).reshape(32, 32) * 60).astype(np.uint16)
    data = png(Image.fromarray(arr))  # uint16: mode I;16
    _, img, raw = decode(image_data_uri(data, max_side=1024))
    assert raw != data and img.mode == "L" and img.size == (32, 32)


def test_labelled_parts_and_errors():
    data = png(Image.new("L", (8, 8)))
    parts = labelled_image_parts([("Input", data), ("Output", Image.new("RGB", (9, 9)))])
    assert [p["type"] for p in parts] == ["text", "image_url", "text", "image_url"]
    assert parts[0]["text"] == 'Image "Input":' and parts[2]["text"] == 'Image "Output":'
    with pytest.raises(MedgenError, match="cannot read image"):
        image_data_uri(ImageRef("bad.png", data=b"not an image"))
    with pytest.raises(MedgenError, match="max_side"):
        image_data_uri(data, max_side=0)
