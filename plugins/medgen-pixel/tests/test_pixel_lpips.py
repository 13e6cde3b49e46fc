"""LPIPS through the real lpips code with a seeded random backbone; the offline-unavailable path."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch
from medgen_pixel import lpips_metric
from medgen_pixel.lpips_metric import ALEXNET_FILE, ALEXNET_URL, LPIPSMetric
from PIL import Image
from pixel_reference import lpips_tensor, reference_pair

from medgen_core.types import ImageRef, MetricUnavailable, Sample, Score, ScoreFailure, ScoreItem


@pytest.fixture(scope="session")
def lpips_items(tmp_path_factory: pytest.TempPathFactory) -> list[ScoreItem]:
    tmp = tmp_path_factory.mktemp("lpips")
    rng = np.random.default_rng(7)
    items = []
    for i in range(10):
        h, w = int(rng.integers(40, 300)), int(rng.integers(40, 300))
        ref = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        pred = np.clip(ref + rng.normal(0, 10 + 10 * i, ref.shape), 0, 255).astype(np.uint8)
        r = Image.fromarray(ref).convert("L" if i % 3 == 0 else "RGB")
        p = Image.fromarray(pred)
        if i % 2:
            p = p.resize((w + 7, h - 5))
        r.save(tmp / f"r{i}.png")
        p.save(tmp / f"p{i}.png")
        sample = Sample(
            id=f"s{i}",
            task="t",
            format="edit",
            modality="MRI",
            instruction="",
            reference_image=ImageRef(f"r{i}.png", tmp / f"r{i}.png"),
        )
        items.append(ScoreItem(sample, None, ImageRef(f"p{i}.png", tmp / f"p{i}.png")))
    return items


@pytest.fixture(scope="session")
def random_metric() -> LPIPSMetric:
    return LPIPSMetric(pnet_rand=True, seed=3, batch_size=4)


def test_lpips_batched_equals_one_pair_at_a_time(lpips_items: list[ScoreItem], random_metric: LPIPSMetric) -> None:
    import lpips

    torch.manual_seed(3)
    plain = lpips.LPIPS(net="alex", pnet_rand=True, verbose=False).eval()
    broken = ScoreItem(lpips_items[0].sample, None, None)
    out = random_metric.score([*lpips_items, broken])
    assert isinstance(out[-1], ScoreFailure) and "'s0'" in str(out[-1])
    values = []
    for item, got in zip(lpips_items, out[:-1], strict=True):
        pred, ref, resized = reference_pair(item.image, item.sample.reference_image)
        with torch.inference_mode():
            want = float(plain(lpips_tensor(pred), lpips_tensor(ref)))
        v = got.value if isinstance(got, Score) else got
        assert v == pytest.approx(want, rel=1e-5, abs=1e-7), item.sample.id
        assert isinstance(got, Score) == resized
        values.append(v)
    assert len(set(values)) == len(values) and min(values) > 0


def test_random_backbone_has_its_own_key() -> None:
    assert LPIPSMetric(pnet_rand=True, seed=3).key == "lpips[alex,random-backbone,seed=3]"
    assert LPIPSMetric().key == "lpips[alex]"
    with pytest.raises(TypeError):
        LPIPSMetric(net="vgg")
    with pytest.raises(TypeError):
        LPIPSMetric(spatial=True)  # type: ignore[call-arg]


def test_missing_backbone_is_unavailable_without_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lpips_items: list[ScoreItem]
) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    metric = LPIPSMetric()
    with pytest.raises(MetricUnavailable) as info:
        metric.score(lpips_items[:1])
    msg = str(info.value)
    assert ALEXNET_FILE in msg and ALEXNET_URL in msg
    assert str(tmp_path / "torch" / "hub" / "checkpoints") in msg
    assert not (tmp_path / "torch").exists()  # nothing tried to download


def test_cached_backbone_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    assert lpips_metric.hub_checkpoint_dir() == tmp_path / "hub" / "checkpoints"
    (tmp_path / "hub" / "checkpoints").mkdir(parents=True)
    (tmp_path / "hub" / "checkpoints" / ALEXNET_FILE).write_bytes(b"x")
    LPIPSMetric()._check_weights()  # no error: the file is where torchvision looks


def test_threads_never_exceed_cores() -> None:
    before = torch.get_num_threads()
    try:
        assert lpips_metric.set_threads(10_000) <= (os.cpu_count() or 1)
        assert torch.get_num_threads() <= (os.cpu_count() or 1)
        assert lpips_metric.set_threads(1) == 1 and torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
