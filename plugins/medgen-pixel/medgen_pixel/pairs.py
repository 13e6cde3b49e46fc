"""Decode (prediction, reference) image pairs once and share them across the pixel metrics.

SSIM, PSNR and LPIPS are separate metric objects that the runner calls on the
same chunk of items one after another. Each pair is decoded once (optionally in a
thread pool, metric arg ``workers``; see :func:`default_workers`) and the
result is kept in a module-level LRU bounded in bytes, so the second and third
metric find the pixels ready. The bound keeps memory flat in the number of
samples: ``MEDGEN_PIXEL_CACHE_MB`` (default 256) sets it.

Decoding runs in a small persistent thread pool (PIL and large numpy
operations release the GIL); the views the live metrics asked for with
:func:`want` (gray for SSIM, the 256x256 LPIPS input) are built in the same
worker right after decoding. The run's ``--tune_malloc`` (see
:mod:`medgen_core.run.memory`) keeps glibc from returning and re-faulting
large buffers on every call and from spreading them over per-thread arenas
(which slowed the following LPIPS pass 2-5x); it is the runner's opt-in, not
something importing this plugin does.

The cache relies on the scoring contract of :class:`medgen_core.types.Metric`:
the runner scores one chunk with every metric of a task, one after another,
before the next chunk, so the second and third metric of a chunk hit it.

Pipeline, as in the paper: both images are decoded by the core (8-bit ``L``,
``RGB`` or ``RGBA``); the prediction is resized to the reference size with PIL
LANCZOS when sizes differ; the reference is never resized. Each pair then
stores one base array per image: ``L`` images as HxW, colour images as HxWx3
(alpha dropped, exactly as PIL ``convert("RGB")`` does).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from medgen_core.types import ImageError, ImageRef, ScoreFailure, ScoreItem

if TYPE_CHECKING:
    import numpy as np
    from PIL.Image import Image

LPIPS_SIZE = 256


def default_workers() -> int:
    """One decode thread per core, at most two: the measured sweet spot on the 2-core reference machine."""
    return max(1, min(2, os.cpu_count() or 1))


_VIEWS: set[str] = set()


def want(view: str) -> None:
    """Ask that decoding also build ``view`` ("gray", "rgb" or "lpips") for every pair, in the worker."""
    if view not in ("gray", "rgb", "lpips"):
        raise ValueError(f"unknown view {view!r}")
    _VIEWS.add(view)


_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOL_LOCK = threading.Lock()


def pool(workers: int) -> ThreadPoolExecutor:
    """A persistent pool of ``workers`` threads shared by all pixel metrics (threads idle between chunks)."""
    with _POOL_LOCK:
        if workers not in _POOLS:
            _POOLS[workers] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"medgen-pixel-{workers}")
        return _POOLS[workers]


class PreparedPair:
    """One decoded pair plus lazily derived, cached views (gray, RGB, LPIPS input)."""

    def __init__(self, pred: Image, ref: Image, resized_from: tuple[int, int] | None) -> None:
        self.pred = _base_array(pred)
        self.ref = _base_array(ref)
        self.size = ref.size  # (w, h) of the reference, which is never resized
        self.resized_from = resized_from
        self._views: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def details(self) -> dict[str, Any]:
        """What a Score records about this pair (only when a resize happened)."""
        if self.resized_from is None:
            return {}
        return {"resized": True, "from": list(self.resized_from)}

    def nbytes(self) -> int:
        return self.pred.nbytes + self.ref.nbytes + sum(a.nbytes + b.nbytes for a, b in self._views.values())

    def _view(self, name: str, make: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if name not in self._views:
                self._views[name] = (make(self.pred), make(self.ref))
            return self._views[name]

    def gray(self) -> tuple[np.ndarray, np.ndarray]:
        """8-bit grayscale (PIL ``convert("L")``: ITU-R 601-2 luma), HxW uint8."""
        return self._view("gray", _to_gray)

    def rgb(self) -> tuple[np.ndarray, np.ndarray]:
        """8-bit RGB (PIL ``convert("RGB")``), HxWx3 uint8."""
        return self._view("rgb", _to_rgb)

    def lpips_input(self) -> tuple[np.ndarray, np.ndarray]:
        """RGB resized to 256x256 with PIL BILINEAR (torchvision ``Resize((256, 256))`` on PIL images).

        A gray image stays 256x256 (its RGB form repeats it in 3 channels: resizing in ``L`` gives
        the same bytes as resizing its RGB form, checked in the tests); callers broadcast it.
        """
        return self._view("lpips", _to_lpips)

    def build_views(self, names: set[str]) -> None:
        for name in tuple(names):
            getattr(self, name if name != "lpips" else "lpips_input")()


def _base_array(img: Image) -> np.ndarray:
    import numpy as np

    if img.mode == "L":
        return np.asarray(img)
    return np.asarray(img.convert("RGB") if img.mode != "RGB" else img)


def _to_gray(base: np.ndarray) -> np.ndarray:
    import numpy as np
    from PIL import Image as PILImage

    if base.ndim == 2:
        return base
    return np.asarray(PILImage.fromarray(base, mode="RGB").convert("L"))


def _to_rgb(base: np.ndarray) -> np.ndarray:
    import numpy as np

    if base.ndim == 3:
        return base
    return np.repeat(base[:, :, None], 3, axis=2)


def _to_lpips(base: np.ndarray) -> np.ndarray:
    import numpy as np
    from PIL import Image as PILImage

    img = PILImage.fromarray(base, mode="L" if base.ndim == 2 else "RGB")
    return np.asarray(img.resize((LPIPS_SIZE, LPIPS_SIZE), PILImage.Resampling.BILINEAR))


def decode_pair(pred_ref: ImageRef, ref_ref: ImageRef) -> PreparedPair:
    """Decode both images through the core and resize the prediction to the reference size."""
    from PIL import Image as PILImage

    ref = ref_ref.open()
    pred = pred_ref.open()
    resized_from = None
    if pred.size != ref.size:
        resized_from = pred.size
        pred = pred.resize(ref.size, PILImage.Resampling.LANCZOS)
    return PreparedPair(pred, ref, resized_from)


def _image_key(ref: ImageRef) -> tuple[Any, ...]:
    """Identify an image's content cheaply: path + size + mtime, or the embedded bytes' hash."""
    if ref.data is not None:
        return (ref.ref, len(ref.data), hash(ref.data))
    if ref.path is None:
        return (ref.ref,)
    try:
        st = ref.path.stat()
    except OSError:
        return (ref.ref, str(ref.path))  # decoding will raise the real error
    return (ref.ref, str(ref.path), st.st_size, st.st_mtime_ns)


class PairCache:
    """A thread-safe LRU of :class:`PreparedPair` bounded by their bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[Any, ...], PreparedPair] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Any, ...]) -> PreparedPair | None:
        with self._lock:
            pair = self._items.get(key)
            if pair is None:
                self.misses += 1
                return None
            self.hits += 1
            self._items.move_to_end(key)
            self._shrink()
            return pair

    def put(self, key: tuple[Any, ...], pair: PreparedPair) -> None:
        with self._lock:
            self._items[key] = pair
            self._items.move_to_end(key)
            self._shrink()

    def nbytes(self) -> int:
        with self._lock:
            return sum(p.nbytes() for p in self._items.values())

    def trim(self) -> None:
        """Re-apply the bound after metrics added views to cached pairs."""
        with self._lock:
            self._shrink()

    def _shrink(self) -> None:
        """Evict oldest pairs; views computed since are counted at the next get or put."""
        total = sum(p.nbytes() for p in self._items.values())
        while total > self.max_bytes and len(self._items) > 1:
            _, old = self._items.popitem(last=False)
            total -= old.nbytes()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


CACHE = PairCache(int(float(os.environ.get("MEDGEN_PIXEL_CACHE_MB", "256")) * 2**20))


def _failure(item: ScoreItem, what: str) -> ScoreFailure:
    return ScoreFailure(f"sample {item.sample.id!r}: {what}")


def load_pairs(items: list[ScoreItem], workers: int | None = None) -> list[PreparedPair | ScoreFailure]:
    """One prepared pair or a :class:`ScoreFailure` per item, in order (cache first, then decode)."""
    out: list[PreparedPair | ScoreFailure | None] = [None] * len(items)
    todo: list[tuple[int, tuple[Any, ...], ImageRef, ImageRef]] = []
    for i, item in enumerate(items):
        if item.image is None:
            out[i] = _failure(item, "the model produced no output image")
            continue
        if item.sample.reference_image is None:
            out[i] = _failure(item, "the sample has no reference image")
            continue
        key = (_image_key(item.image), _image_key(item.sample.reference_image))
        cached = CACHE.get(key)
        if cached is not None:
            out[i] = cached
        else:
            todo.append((i, key, item.image, item.sample.reference_image))

    def work(job: tuple[int, tuple[Any, ...], ImageRef, ImageRef]) -> PreparedPair | ScoreFailure:
        i, key, pred, ref = job
        try:
            pair = decode_pair(pred, ref)
        except ImageError as exc:
            return _failure(items[i], str(exc))
        pair.build_views(_VIEWS)
        CACHE.put(key, pair)
        return pair

    n = workers or default_workers()
    if len(todo) > 1 and n > 1:
        results = list(pool(n).map(work, todo))
    else:
        results = [work(job) for job in todo]
    for job, res in zip(todo, results, strict=True):
        out[job[0]] = res
    return out  # type: ignore[return-value]
