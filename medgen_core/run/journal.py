"""Append-only JSONL journals that survive SIGKILL at any moment.

Each entry is one line, written and flushed as soon as it exists. A kill can
only leave a partial last line; opening the journal cuts it off, so what is
on disk is always a prefix of complete entries. Entries are read back by
byte offset, so the index kept in memory is small whatever the run's size.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from medgen_core.types import MedgenError


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: BinaryIO | None = None
        self._lock = threading.Lock()  # the scoring and judging stages append from their own threads

    def entries(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(offset, entry) for every complete line; a torn last line is cut off first."""
        if not self.path.exists():
            return
        good_end = 0
        with self.path.open("rb") as handle:
            offset = 0
            for line in handle:
                start, offset = offset, offset + len(line)
                if not line.endswith(b"\n"):
                    break
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    if handle.read(1):
                        raise MedgenError(f"{self.path}: corrupt entry at byte {start} (not the last line)") from None
                    break
                good_end = offset
                yield start, entry
        if good_end != self.path.stat().st_size:
            with self.path.open("r+b") as handle:
                handle.truncate(good_end)

    def read_at(self, offset: int) -> dict[str, Any]:
        with self.path.open("rb") as handle:
            handle.seek(offset)
            return json.loads(handle.readline())

    def append(self, entry: dict[str, Any]) -> int:
        """Write one entry and flush it to the OS (enough for SIGKILL); return its offset."""
        line = json.dumps(entry, ensure_ascii=False, default=str).encode() + b"\n"
        with self._lock:
            if self._handle is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = self.path.open("ab")
            offset = self._handle.tell()
            self._handle.write(line)
            self._handle.flush()
            return offset

    def rewrite(self, entries: list[dict[str, Any]]) -> None:
        """Replace the journal with ``entries`` in one step (readers see the old or the new one)."""
        self.close()
        write_atomic(self.path, "".join(json.dumps(e, ensure_ascii=False, default=str) + "\n" for e in entries))

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` in one step, so readers see the old or the new file, never half."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
