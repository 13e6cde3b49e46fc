"""sha256 of every file under a dataset folder, in ``sha256sum`` format, sorted by path."""

from __future__ import annotations

import hashlib
from pathlib import Path


def checksums(root: Path) -> str:
    lines = []
    for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}")
    lines.sort(key=lambda line: line.split("  ", 1)[1])
    return "\n".join(lines) + "\n"
