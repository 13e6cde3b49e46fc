"""Small JPEG thumbnails for the gallery: made in parallel, cached beside the run.

Decoding the full image is most of the cost (about 1 ms for a 256x256 PNG on
our machines), so thumbnails are kept in ``RUN_DIR/.thumbnails.sqlite``, keyed
by the image's path, size, modification time and the thumbnail settings: a
second report of a run decodes only images it has not seen. A run folder that
cannot be written to is reported without a cache.
"""

from __future__ import annotations

import io
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

THUMB_PX = 72  # longest side in pixels
QUALITY = 50  # JPEG quality: under 1 KB per thumbnail of a typical medical image
CACHE_NAME = ".thumbnails.sqlite"
_PARALLEL_FROM = 256  # fewer images than this: a worker pool costs more than it saves
_BATCH = 64


def thumbnail(path: str, px: int = THUMB_PX, quality: int = QUALITY) -> bytes | None:
    """JPEG bytes of ``path`` shrunk to at most ``px`` on its longest side; None when it cannot be decoded."""
    from PIL import Image

    from medgen_core.images import normalise_mode

    try:
        with Image.open(path) as img:
            img.draft("RGB", (px, px))  # JPEG sources decode at a reduced scale; others ignore it
            img.load()
            img = normalise_mode(img)
    except Exception:  # a missing or corrupt image shows as a placeholder, never stops the report
        return None
    if img.mode == "RGBA":
        background = Image.new("RGB", img.size, (255, 255, 255))
        background.paste(img, mask=img.getchannel("A"))
        img = background
    factor = max(1, max(img.size) // px)
    if factor > 1:
        img = img.reduce(factor)
    if max(img.size) > px:
        scale = px / max(img.size)
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))), Image.BILINEAR)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _thumbnails(paths: list[str]) -> list[bytes | None]:
    return [thumbnail(p) for p in paths]


class ThumbnailCache:
    """path -> thumbnail bytes, from the cache file when its entry is current, made otherwise."""

    def __init__(self, cache_file: Path | None) -> None:
        self.db: sqlite3.Connection | None = None
        if cache_file is not None:
            try:
                self.db = sqlite3.connect(cache_file)
                self.db.execute("CREATE TABLE IF NOT EXISTS thumbs (key TEXT PRIMARY KEY, data BLOB)")
            except sqlite3.Error:
                self.db = None  # a read-only run folder: no cache
        self.made = 0  # thumbnails decoded by this process (not from the cache)

    def get_all(self, paths: Iterable[str], workers: int | None = None) -> dict[str, bytes | None]:
        """Absolute path -> thumbnail (None: missing or undecodable)."""
        wanted = {p: _key(p) for p in dict.fromkeys(paths)}
        out: dict[str, bytes | None] = {p: None for p, key in wanted.items() if key is None}
        cached = self._cached([k for k in wanted.values() if k is not None])
        missing = []
        for path, key in wanted.items():
            if key is not None:
                if key in cached:
                    out[path] = cached[key]
                else:
                    missing.append(path)
        made = _make(missing, workers)
        self.made += len(missing)
        for path, data in zip(missing, made, strict=True):
            out[path] = data
        self._store([(wanted[p], d) for p, d in zip(missing, made, strict=True) if d is not None])
        return out

    def _cached(self, keys: list[str]) -> dict[str, bytes]:
        if self.db is None or not keys:
            return {}
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self.db.execute(f"SELECT key, data FROM thumbs WHERE key IN ({marks})", chunk).fetchall())
        return found

    def _store(self, rows: list[tuple[str | None, bytes]]) -> None:
        if self.db is None or not rows:
            return
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO thumbs VALUES (?, ?)", rows)
        except sqlite3.Error:
            pass  # the cache only saves time

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


def _key(path: str) -> str | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return f"{path}|{stat.st_size}|{stat.st_mtime_ns}|{THUMB_PX}|{QUALITY}"


def _make(paths: list[str], workers: int | None) -> list[bytes | None]:
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(paths) < _PARALLEL_FROM:
        return _thumbnails(paths)
    from concurrent.futures import ProcessPoolExecutor

    batches = [paths[i : i + _BATCH] for i in range(0, len(paths), _BATCH)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [data for batch in pool.map(_thumbnails, batches) for data in batch]
