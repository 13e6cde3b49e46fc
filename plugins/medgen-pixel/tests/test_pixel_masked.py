"""Masked SSIM/PSNR average the reference definitions over the mask (or its complement)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from medgen_pixel import metrics
from PIL import Image
from pixel_reference import ref_psnr, ref_ssim_map, reference_pair

from medgen_core.types import ImageRef, Sample, Score, ScoreFailure, ScoreItem


def make_item(tmp_path: Path, sid: str, mask: np.ndarray | None, pred_size: tuple[int, int] = (64, 48)) -> ScoreItem:
    rng = np.random.default_rng(abs(hash(sid)) % 2**32)
    ref = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    pred = np.clip(ref + rng.normal(0, 30, ref.shape), 0, 255).astype(np.uint8)
    Image.fromarray(ref).save(tmp_path / f"{sid}_r.png")
    Image.fromarray(pred).resize(pred_size).save(tmp_path / f"{sid}_p.png")
    mask_ref = None
    if mask is not None:
        Image.fromarray(mask).save(tmp_path / f"{sid}_m.png")
        mask_ref = ImageRef(f"{sid}_m.png", tmp_path / f"{sid}_m.png")
    sample = Sample(
        id=sid,
        task="t",
        format="edit",
        modality="CT",
        instruction="",
        reference_image=ImageRef(f"{sid}_r.png", tmp_path / f"{sid}_r.png"),
        mask_image=mask_ref,
    )
    return ScoreItem(sample, None, ImageRef(f"{sid}_p.png", tmp_path / f"{sid}_p.png"))


def val(x: float | Score) -> float:
    return x.value if isinstance(x, Score) else x


def test_masked_values_match_reference(tmp_path: Path) -> None:
    mask = np.zeros((48, 64), dtype=np.uint8)
    mask[10:30, 5:40] = 255
    items = [make_item(tmp_path, "m1", mask), make_item(tmp_path, "m2", mask, pred_size=(70, 40))]
    for item in items:
        pred, ref, _ = reference_pair(item.image, item.sample.reference_image)
        inside = mask > 0
        smap = ref_ssim_map(pred, ref)[3:-3, 3:-3]
        expect = {
            "ssim_in_mask": smap[inside[3:-3, 3:-3]].mean(),
            "ssim_out_mask": smap[~inside[3:-3, 3:-3]].mean(),
            "psnr_in_mask": ref_psnr(pred, ref, inside),
            "psnr_out_mask": ref_psnr(pred, ref, ~inside),
        }
        for name, want in expect.items():
            metric = getattr(metrics, name)()
            assert metric.key == name
            got = metric.score([item])[0]
            assert abs(val(got) - want) < 1e-6, (name, item.sample.id)
    resized = metrics.ssim_in_mask().score([items[1]])[0]
    assert isinstance(resized, Score) and resized.details == {"resized": True, "from": [70, 40]}


def test_mask_of_other_size_is_resized_nearest(tmp_path: Path) -> None:
    small = np.zeros((24, 32), dtype=np.uint8)
    small[5:15, 2:20] = 1
    item = make_item(tmp_path, "m3", small)
    got = metrics.psnr_in_mask().score([item])[0]
    pred, ref, _ = reference_pair(item.image, item.sample.reference_image)
    big = np.asarray(Image.fromarray(small).resize((64, 48), Image.Resampling.NEAREST)) > 0
    assert isinstance(got, Score)
    assert got.details == {"mask_resized": True, "mask_from": [32, 24]}
    assert got.value == pytest.approx(ref_psnr(pred, ref, big), abs=1e-9)


def test_missing_or_empty_mask_fails_that_sample(tmp_path: Path) -> None:
    no_mask = make_item(tmp_path, "nomask", None)
    empty = make_item(tmp_path, "empty", np.zeros((48, 64), dtype=np.uint8))
    full = make_item(tmp_path, "full", np.full((48, 64), 255, dtype=np.uint8))
    out = metrics.ssim_in_mask().score([no_mask, empty, full])
    assert isinstance(out[0], ScoreFailure) and "'nomask'" in str(out[0]) and "mask" in str(out[0])
    assert isinstance(out[1], ScoreFailure) and "'empty'" in str(out[1])
    assert 0.0 < val(out[2]) < 1.0  # a full mask is the whole-image SSIM
    out = metrics.psnr_out_mask().score([full])
    assert isinstance(out[0], ScoreFailure) and "outside" in str(out[0])
