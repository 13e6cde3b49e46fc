"""LPIPS (AlexNet, v0.1 linear layers) on 256x256 RGB inputs scaled to [-1, 1], batched.

The lpips package ships only its linear layers; the AlexNet ImageNet backbone
comes from torchvision's model zoo into the torch hub cache. A missing file
would make torchvision try a download that fails or hangs offline, so the
cache is checked first and :class:`MetricUnavailable` says what to fetch.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from medgen_core.types import MetricUnavailable, Score, ScoreItem
from medgen_pixel import pairs

ALEXNET_FILE = "alexnet-owt-7be5be79.pth"
ALEXNET_URL = f"https://download.pytorch.org/models/{ALEXNET_FILE}"


def hub_checkpoint_dir() -> Path:
    """Where torchvision looks for downloaded weights (``$TORCH_HOME/hub/checkpoints``)."""
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints"


def set_threads(threads: int | None) -> int:
    """Cap torch's intra-op threads at the number of cores (and at ``threads`` if given)."""
    import torch

    cores = os.cpu_count() or 1
    want = min(threads if threads is not None else torch.get_num_threads(), cores)
    if want != torch.get_num_threads():
        torch.set_num_threads(want)
    return want


class LPIPSMetric:
    """LPIPS AlexNet distance; lower is better. Key ``lpips[alex]``; with ``pnet_rand`` the backbone is
    random (seeded) and the key ``lpips[alex,random-backbone,seed=N]`` keeps those numbers apart."""

    def __init__(
        self,
        net: str = "alex",
        pnet_rand: bool = False,
        seed: int = 0,
        allow_download: bool = False,
        threads: int | None = None,
        batch_size: int = 16,
        device: str = "cpu",
        workers: int | None = None,
    ) -> None:
        if net != "alex":
            raise TypeError(f"lpips: only net='alex' (the benchmark's variant) is supported, not {net!r}")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise TypeError(f"lpips: batch_size must be a positive integer, not {batch_size!r}")
        if threads is not None and (not isinstance(threads, int) or threads < 1):
            raise TypeError(f"lpips: threads must be a positive integer or null, not {threads!r}")
        self.pnet_rand = bool(pnet_rand)
        self.seed = int(seed)
        self.allow_download = bool(allow_download)
        self.threads = threads
        self.batch_size = batch_size
        self.device = device
        self.workers = workers
        self.key = f"lpips[alex,random-backbone,seed={self.seed}]" if self.pnet_rand else "lpips[alex]"
        self._model: Any = None
        pairs.want("lpips")  # resize to 256x256 in the decode workers

    def _check_weights(self) -> None:
        path = hub_checkpoint_dir() / ALEXNET_FILE
        if self.pnet_rand or self.allow_download or path.is_file():
            return
        raise MetricUnavailable(
            f"LPIPS needs the AlexNet ImageNet backbone {ALEXNET_FILE}, which is not in the torch hub cache. "
            f"Download {ALEXNET_URL} and put it in {path.parent}/ (the folder follows $TORCH_HOME; "
            "or set the metric arg allow_download: true on a machine with internet)."
        )

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        self._check_weights()
        set_threads(self.threads)
        import warnings

        import lpips
        import torch

        if self.pnet_rand:
            torch.manual_seed(self.seed)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # torchvision's 'pretrained' deprecation notice
                model = lpips.LPIPS(net="alex", pnet_rand=self.pnet_rand, verbose=False)
        except OSError as exc:  # URLError is an OSError: the download failed
            raise MetricUnavailable(
                f"LPIPS could not download {ALEXNET_URL} ({exc}); put {ALEXNET_FILE} in {hub_checkpoint_dir()}/"
            ) from exc
        model = model.eval().to(self.device)
        if self.device == "cpu":
            model = model.to(memory_format=torch.channels_last)  # faster CPU convolutions, same values
        self._model = model
        return model

    def score(self, items: list[ScoreItem]) -> list[float | Score | BaseException]:
        import torch

        model = self._load()
        set_threads(self.threads)
        loaded = pairs.load_pairs(items, self.workers)
        out: list[float | Score | BaseException | None] = [p if isinstance(p, BaseException) else None for p in loaded]
        ok = [i for i, p in enumerate(loaded) if not isinstance(p, BaseException)]
        for start in range(0, len(ok), self.batch_size):
            idx = ok[start : start + self.batch_size]
            views = [loaded[i].lpips_input() for i in idx]  # type: ignore[union-attr]
            batch = _to_tensor([v[0] for v in views] + [v[1] for v in views], self.device)
            with torch.inference_mode():
                dist = distances(model, batch).double().cpu().numpy()
            for i, d in zip(idx, dist, strict=True):
                details = loaded[i].details  # type: ignore[union-attr]
                out[i] = Score(float(d), details) if details else float(d)
        pairs.CACHE.trim()
        return out  # type: ignore[return-value]

    def describe(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {
            "key": self.key,
            "net": "alex",
            "lpips_version": version("lpips"),
            "backbone": "random (seeded, not perceptually meaningful)" if self.pnet_rand else ALEXNET_FILE,
            "input": "RGB, both images resized to 256x256 (PIL bilinear), scaled to [-1, 1]",
            "batch_size": self.batch_size,
        }


def _to_tensor(views: list[Any], device: str) -> Any:
    """256x256 uint8 views (HxW gray or HxWx3 RGB) -> Nx3xHxW float32 in [-1, 1], channels-last memory.

    Gray views are broadcast into the three channels, which is what their RGB form holds.
    """
    import numpy as np
    import torch

    size = pairs.LPIPS_SIZE
    batch = np.empty((len(views), size, size, 3), dtype=np.uint8)
    for dst, v in zip(batch, views, strict=True):
        dst[...] = v[:, :, None] if v.ndim == 2 else v
    t = torch.from_numpy(batch).to(device).permute(0, 3, 1, 2).float()
    return t / 127.5 - 1.0


def distances(model: Any, batch: Any) -> Any:
    """LPIPS of ``batch[:n]`` against ``batch[n:]`` (n = half), as ``lpips.LPIPS.forward`` computes it
    for version 0.1 with linear layers and spatial averaging, but with one backbone pass over both halves."""
    import lpips

    n = batch.shape[0] // 2
    feats = model.net.forward(model.scaling_layer(batch))
    total = 0
    for kk in range(model.L):
        f = lpips.normalize_tensor(feats[kk])
        total = total + model.lins[kk]((f[:n] - f[n:]) ** 2).mean([2, 3], keepdim=True)
    return total.reshape(-1)
