"""The SSIM and PSNR metric objects (whole image and masked variants).

All share decoded pairs through :mod:`medgen_pixel.pairs`, so scoring the same
chunk with several of them decodes each image once.
"""

from __future__ import annotations

from typing import Any

from medgen_core.types import Score, ScoreFailure, ScoreItem
from medgen_pixel import masks, pairs
from medgen_pixel.psnr import psnr_from_sse, rgb_squared_error_sum
from medgen_pixel.ssim import PAD, ssim, ssim_map


def _result(value: float, details: dict[str, Any]) -> float | Score:
    return Score(value, details) if details else value


def _check_workers(workers: int | None) -> int | None:
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise TypeError(f"workers must be a positive integer or null, not {workers!r}")
    return workers


class _PairMetric:
    """Common batch loop: load pairs, score each, turn per-sample errors into ScoreFailure."""

    key = ""
    region: str | None = None  # None, "in" or "out" (masked variants)
    view: str | None = None  # the pairs view this metric reads, built right after decoding

    def __init__(self, workers: int | None = None) -> None:
        self.workers = _check_workers(workers)
        if self.view is not None:
            pairs.want(self.view)

    def score(self, items: list[ScoreItem]) -> list[float | Score | BaseException]:
        """Pairs are scored in the shared thread pool: the numpy work releases the GIL."""
        loaded = pairs.load_pairs(items, self.workers)
        n = self.workers or pairs.default_workers()
        jobs = list(zip(items, loaded, strict=True))
        out = (
            list(pairs.pool(n).map(self._score_one, jobs))
            if n > 1 and len(jobs) > 1
            else [self._score_one(job) for job in jobs]
        )
        pairs.CACHE.trim()
        return out

    def _score_one(self, job: tuple[ScoreItem, pairs.PreparedPair | ScoreFailure]) -> float | Score | BaseException:
        item, pair = job
        if isinstance(pair, BaseException):
            return pair
        try:
            return self.score_pair(item, pair)
        except ScoreFailure as exc:
            return exc
        except ValueError as exc:  # e.g. an image smaller than the SSIM window
            return ScoreFailure(f"sample {item.sample.id!r}: {exc}")

    def score_pair(self, item: ScoreItem, pair: pairs.PreparedPair) -> float | Score:
        raise NotImplementedError

    def _region(self, item: ScoreItem, pair: pairs.PreparedPair) -> tuple[Any, dict[str, Any]]:
        mask, details = masks.load_mask(item, pair.size)
        if self.region == "out":
            mask = ~mask
        return mask, {**pair.details, **details}

    def describe(self) -> dict[str, Any]:
        return {"key": self.key, "definition": (type(self).__doc__ or "").strip()}


class SSIMMetric(_PairMetric):
    """SSIM on 8-bit grayscale (PIL convert("L")), data_range 255, scikit-image defaults
    (7x7 uniform window, K1 0.01, K2 0.03, sample covariance); prediction LANCZOS-resized to the reference."""

    key = "ssim"
    view = "gray"

    def score_pair(self, item: ScoreItem, pair: pairs.PreparedPair) -> float | Score:
        x, y = pair.gray()
        return _result(ssim(x, y), pair.details)


class PSNRMetric(_PairMetric):
    """PSNR on 8-bit RGB (exact, no 8-bit wrap-around), peak 255, MSE over all channels, 100 dB for identical images
    (and a 100 dB cap); prediction LANCZOS-resized to the reference."""

    key = "psnr"

    def score_pair(self, item: ScoreItem, pair: pairs.PreparedPair) -> float | Score:
        return _result(psnr_from_sse(*rgb_squared_error_sum(pair.pred, pair.ref)), pair.details)


class MaskedSSIMMetric(_PairMetric):
    """Mean of the SSIM map (same settings as ``ssim``) over window centres inside (``ssim_in_mask``) or
    outside (``ssim_out_mask``) the mask. As in scikit-image's mean, only centres at least 3 pixels from
    the border count; a window centred near the mask edge still sees pixels on both sides."""

    view = "gray"

    def __init__(self, region: str, workers: int | None = None) -> None:
        super().__init__(workers)
        self.region = region
        self.key = f"ssim_{region}_mask"

    def score_pair(self, item: ScoreItem, pair: pairs.PreparedPair) -> float | Score:
        import numpy as np

        mask, details = self._region(item, pair)
        x, y = pair.gray()
        smap = ssim_map(x, y)
        sel = mask[PAD : PAD + smap.shape[0], PAD : PAD + smap.shape[1]]
        if not sel.any():
            raise ScoreFailure(
                f"sample {item.sample.id!r}: the mask leaves no pixel {self.region}side it "
                f"(at least {PAD} pixels from the border) for {self.key}"
            )
        return _result(float(smap[sel].mean(dtype=np.float64)), details)


class MaskedPSNRMetric(_PairMetric):
    """PSNR (same settings as ``psnr``) with the MSE taken over the RGB values of pixels inside
    (``psnr_in_mask``) or outside (``psnr_out_mask``) the mask."""

    def __init__(self, region: str, workers: int | None = None) -> None:
        super().__init__(workers)
        self.region = region
        self.key = f"psnr_{region}_mask"

    def score_pair(self, item: ScoreItem, pair: pairs.PreparedPair) -> float | Score:
        mask, details = self._region(item, pair)
        if not mask.any():
            where = f"{self.region}side"
            raise ScoreFailure(f"sample {item.sample.id!r}: the mask leaves no pixel {where} it for {self.key}")
        return _result(psnr_from_sse(*rgb_squared_error_sum(pair.pred, pair.ref, mask)), details)


def ssim_in_mask(workers: int | None = None) -> MaskedSSIMMetric:
    return MaskedSSIMMetric("in", workers)


def ssim_out_mask(workers: int | None = None) -> MaskedSSIMMetric:
    return MaskedSSIMMetric("out", workers)


def psnr_in_mask(workers: int | None = None) -> MaskedPSNRMetric:
    return MaskedPSNRMetric("in", workers)


def psnr_out_mask(workers: int | None = None) -> MaskedPSNRMetric:
    return MaskedPSNRMetric("out", workers)
