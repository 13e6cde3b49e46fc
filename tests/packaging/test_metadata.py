"""Every package's metadata is complete: version, description, licence file, Python, bounded and pinned dependencies."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the metadata is the same on every Python

REPO = Path(__file__).resolve().parents[2]
PACKAGES = [REPO, *sorted(p.parent for p in REPO.glob("plugins/*/pyproject.toml")), REPO / "examples" / "medgen-hello"]


def pinned_names() -> set[str]:
    lines = (REPO / "constraints.txt").read_text().splitlines()
    return {Requirement(line).name.lower().replace("_", "-") for line in lines if line and not line.startswith("#")}


def requirements(project: dict) -> list[Requirement]:
    extras = [r for group in project.get("optional-dependencies", {}).values() for r in group]
    return [Requirement(r) for r in [*project.get("dependencies", []), *extras]]


@pytest.mark.parametrize("folder", PACKAGES, ids=lambda p: p.name if p != REPO else "medgen")
def test_package_metadata_is_complete(folder: Path):
    where = f"{folder.relative_to(REPO) / 'pyproject.toml'}"
    meta = tomllib.loads((folder / "pyproject.toml").read_text())
    project = meta["project"]
    for key in ("name", "version", "description", "readme", "requires-python"):
        assert project.get(key), f"{where}: [project] {key} is missing"
    assert (folder / project["readme"]).is_file(), f"{where}: readme {project['readme']} does not exist"
    assert project["requires-python"] == ">=3.10", where
    assert project.get("license") == "Apache-2.0" and project.get("license-files") == ["LICENSE"], where
    licence = folder / "LICENSE"
    assert licence.is_file() and licence.read_text() == (REPO / "LICENSE").read_text(), f"{where}: copy LICENSE"
    assert any(r.startswith("setuptools>=77") for r in meta["build-system"]["requires"]), where
    pinned = pinned_names()
    for req in requirements(project):
        name = req.name.lower().replace("_", "-")
        if name == "medgen" or name.startswith("medgen-"):  # ours: built from this repository
            assert str(req.specifier) == ">=0.1", f"{where}: depend on {name}>=0.1"
            continue
        assert any(s.operator == ">=" for s in req.specifier), f"{where}: {req} has no lower bound"
        assert name in pinned, f"{where}: {req.name} is not pinned in constraints.txt (CI installs with it)"
