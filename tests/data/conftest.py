"""Fixtures: every storage form of the same four records, built once per session (see tests/dataset_forms.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dataset_forms import GAP, N, build_forms


@pytest.fixture(scope="session")
def facts() -> dict[str, Any]:
    """What every form holds: ``n`` records, and the identity model's intensity ``gap`` on each."""
    return {"n": N, "gap": GAP}


@pytest.fixture(scope="session")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """{form: {"edit": yaml, "vqa": yaml, ...}} for every storage form, all built with ``datasets``."""
    return build_forms(tmp_path_factory.mktemp("forms"))
