"""An on-disk cache of valid replies, shared by every run folder on the machine.

Judging the same outputs again (another run folder, a rescore) then makes no
call. It is one SQLite file, so several processes may read and write it at
once. Only replies the caller accepted are stored: a malformed reply is asked
again next time, never served from the cache.

Where: ``$MEDGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/medgen``, else ``~/.cache/medgen``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from medgen_core import MedgenError

CACHE_FILE = "litellm-responses.sqlite"
_SCHEMA = "CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, model TEXT, value TEXT, created REAL)"


def default_cache_dir() -> Path:
    explicit = os.environ.get("MEDGEN_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "medgen"


def cache_key(*parts: Any) -> str:
    """A SHA-256 over the canonical JSON of ``parts`` (model, rubric, prompt, image hashes, settings)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """Key -> JSON value. Opened on first use; one connection per process, guarded by a lock."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_dir() / CACHE_FILE
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=60, check_same_thread=False, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_SCHEMA)
            except (OSError, sqlite3.Error) as exc:
                raise MedgenError(
                    f"judge/response cache {self.path}: cannot open ({exc}); set MEDGEN_CACHE_DIR to a writable "
                    "folder or turn the cache off (cache=false)"
                ) from None
            self._conn = conn
        return self._conn

    def get(self, key: str) -> Any | None:
        with self._lock:
            row = self._connect().execute("SELECT value FROM replies WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, key: str, value: Any, model: str = "") -> None:
        blob = json.dumps(value, ensure_ascii=False)
        with self._lock:
            self._connect().execute(
                "INSERT OR REPLACE INTO replies (key, model, value, created) VALUES (?, ?, ?, ?)",
                (key, model, blob, time.time()),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._connect().execute("SELECT COUNT(*) FROM replies").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
