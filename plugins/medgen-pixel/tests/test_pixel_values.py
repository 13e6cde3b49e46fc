"""SSIM and PSNR equal the scikit-image / numpy definitions on random and real pairs of every mode."""

from __future__ import annotations

import glob
from pathlib import Path

import numpy as np
import pytest
from medgen_pixel import pairs
from medgen_pixel.metrics import PSNRMetric, SSIMMetric
from PIL import Image, ImageFilter
from pixel_reference import ref_psnr, ref_ssim, reference_pair

from medgen_core.paths import sample_benchmark_dir
from medgen_core.types import ImageRef, Sample, Score, ScoreFailure, ScoreItem

SOURCES = sorted(glob.glob(str(sample_benchmark_dir() / "sources" / "*" / "*.png")))


def save_mode(arr: np.ndarray, mode: str, path: Path) -> Path:
    """Write ``arr`` (HxWx3 uint8) as a PNG in ``mode`` (L, RGB, RGBA, I;16, P)."""
    img = Image.fromarray(arr, "RGB")
    if mode == "L":
        img = img.convert("L")
    elif mode == "RGBA":
        img = img.convert("RGBA")
        a = np.asarray(img).copy()
        a[..., 3] = (np.arange(a.shape[1]) % 256).astype(np.uint8)[None, :]
        img = Image.fromarray(a, "RGBA")
    elif mode == "I;16":
        g = np.asarray(img.convert("L"), dtype=np.uint16) * 257 + np.uint16(17)
        img = Image.fromarray(g.astype(np.uint16))
    elif mode == "P":
        img = img.quantize(64)
    img.save(path)
    return path


def item_for(pred: Path, ref: Path, sid: str) -> ScoreItem:
    sample = Sample(
        id=sid,
        task="t",
        format="edit",
        modality="CT",
        instruction="",
        reference_image=ImageRef(ref.name, ref),
    )
    return ScoreItem(sample, None, ImageRef(pred.name, pred))


def value(x: float | Score) -> float:
    return x.value if isinstance(x, Score) else x


def make_pairs(tmp_path: Path) -> list[ScoreItem]:
    rng = np.random.default_rng(1234)
    modes = ["L", "RGB", "RGBA", "I;16", "P"]
    items = []
    for i in range(20):
        h, w = int(rng.integers(8, 90)), int(rng.integers(8, 90))
        ref = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        noisy = np.clip(ref + rng.normal(0, 25, ref.shape), 0, 255).astype(np.uint8)
        if i % 3 == 0:  # a prediction of another size: resized to the reference
            noisy = np.asarray(Image.fromarray(noisy).resize((w + 5, h + 11)))
        rp = save_mode(ref, modes[i % 5], tmp_path / f"r{i}.png")
        pp = save_mode(noisy, modes[(i * 2 + 1) % 5], tmp_path / f"p{i}.png")
        items.append(item_for(pp, rp, f"rand{i}"))
    for j, src in enumerate(SOURCES[::3]):
        img = Image.open(src)
        img.save(tmp_path / f"real{j}.png")
        blurred = img.filter(ImageFilter.GaussianBlur(1.5))
        if j % 2:
            blurred = blurred.resize((img.width // 2 + 3, img.height // 2))
        blurred.save(tmp_path / f"realp{j}.png")
        items.append(item_for(tmp_path / f"realp{j}.png", tmp_path / f"real{j}.png", f"real{j}"))
    return items


@pytest.fixture
def pair_items(tmp_path: Path) -> list[ScoreItem]:
    pairs.CACHE.clear()
    return make_pairs(tmp_path)


def test_ssim_and_psnr_equal_reference(pair_items: list[ScoreItem]) -> None:
    assert len(SOURCES) > 20
    ssim_out = SSIMMetric().score(pair_items)
    psnr_out = PSNRMetric().score(pair_items)
    assert pairs.CACHE.hits >= len(pair_items)  # the second metric reused the decoded pairs
    for item, s, p in zip(pair_items, ssim_out, psnr_out, strict=True):
        pred, ref, resized = reference_pair(item.image, item.sample.reference_image)
        assert abs(value(s) - ref_ssim(pred, ref)) < 1e-6, item.sample.id
        assert abs(value(p) - ref_psnr(pred, ref)) < 1e-6, item.sample.id
        assert isinstance(s, Score) == resized
        if resized:
            assert s.details == {"resized": True, "from": list(Image.open(item.image.path).size)}


def test_identical_images_give_cap_and_one(tmp_path: Path) -> None:
    arr = np.random.default_rng(5).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    a = save_mode(arr, "RGB", tmp_path / "a.png")
    b = save_mode(arr, "RGB", tmp_path / "b.png")
    item = item_for(a, b, "same")
    assert PSNRMetric().score([item]) == [100.0]
    assert SSIMMetric().score([item])[0] == pytest.approx(1.0, abs=1e-12)


def test_psnr_is_capped_and_does_not_wrap(tmp_path: Path) -> None:
    ref = np.zeros((300, 300, 3), dtype=np.uint8)
    pred = ref.copy()
    pred[0, 0, 0] = 1  # MSE 1/270000 -> 102.5 dB uncapped
    item = item_for(save_mode(pred, "RGB", tmp_path / "p.png"), save_mode(ref, "RGB", tmp_path / "r.png"), "cap")
    assert PSNRMetric().score([item]) == [100.0]
    # 0 vs 255 everywhere must be 0 dB (8-bit subtraction would wrap to a small error)
    full = np.full((300, 300, 3), 255, dtype=np.uint8)
    item = item_for(save_mode(full, "RGB", tmp_path / "w.png"), tmp_path / "r.png", "wrap")
    assert PSNRMetric().score([item])[0] == pytest.approx(0.0, abs=1e-12)


def test_failures_name_the_sample(tmp_path: Path) -> None:
    arr = np.zeros((5, 5, 3), dtype=np.uint8)
    small = save_mode(arr, "RGB", tmp_path / "s.png")
    (tmp_path / "bad.png").write_bytes(b"not a png")
    good = item_for(small, small, "tiny")
    no_image = ScoreItem(good.sample, None, None)
    no_image.sample = Sample(
        id="noimg", task="t", format="edit", modality="CT", instruction="", reference_image=good.sample.reference_image
    )
    broken = item_for(tmp_path / "bad.png", small, "broken")
    out = SSIMMetric().score([good, no_image, broken])
    assert all(isinstance(o, ScoreFailure) for o in out)
    assert "'tiny'" in str(out[0]) and "7x7" in str(out[0])
    assert "'noimg'" in str(out[1]) and "no output image" in str(out[1])
    assert "'broken'" in str(out[2])
    assert PSNRMetric().score([good])[0] == 100.0  # PSNR has no window: a 5x5 pair is fine


def test_unknown_argument_is_rejected() -> None:
    with pytest.raises(TypeError):
        SSIMMetric(window=11)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        PSNRMetric(workers=0)


def test_cache_stays_bounded(tmp_path: Path) -> None:
    items = make_pairs(tmp_path)[:20]
    old = pairs.CACHE.max_bytes
    pairs.CACHE.clear()
    pairs.CACHE.max_bytes = 20_000
    try:
        SSIMMetric().score(items)
        PSNRMetric().score(items)
        assert 1 <= len(pairs.CACHE) < len(items)
        assert pairs.CACHE.nbytes() <= 20_000 or len(pairs.CACHE) == 1
    finally:
        pairs.CACHE.max_bytes = old
        pairs.CACHE.clear()
