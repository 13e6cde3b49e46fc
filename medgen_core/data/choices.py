"""Multiple-choice options written inside an instruction ("A. ...", "(B) ...", "C) ...").

The hub's later Parquet layout may carry MC options only in the instruction
text; the authors' later code reads them from there, and so does medgen, so
accuracy can be scored and the ``options`` template variable is filled.
"""

from __future__ import annotations

import re
import string

_MARKER = re.compile(r"(?:^|(?<=\s))\(?([A-J])\s*[.):]\s+")


def options_in_text(text: object) -> list[str] | None:
    """The options of the first run of markers ``A``, ``B``, ``C``... (at most ten, at least two), else None.

    Each option runs to the next marker; the last one to the end of its line.
    """
    if not isinstance(text, str):
        return None
    run: list[re.Match[str]] = []
    for marker in _MARKER.finditer(text):
        letter = marker.group(1)
        if letter == string.ascii_uppercase[len(run)]:
            run.append(marker)
        elif len(run) >= 2:
            break  # the list has ended
        elif letter == "A":
            run = [marker]
    if len(run) < 2:
        return None
    options = []
    for i, marker in enumerate(run):
        end = run[i + 1].start() if i + 1 < len(run) else len(text)
        chunk = text[marker.end() : end]
        if i + 1 == len(run):
            chunk = chunk.split("\n", 1)[0]
        options.append(chunk.strip().rstrip(";,").strip())
    return options if all(options) else None
