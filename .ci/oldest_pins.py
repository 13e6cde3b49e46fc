"""Prints ``name==version`` for the lower bound of every dependency (and extra) of the given pyproject.toml files.

Used by .ci/oldest_bounds.sh so that the versions it tests are exactly the bounds the packages declare. A name
bounded in several files gets the highest of its bounds; ``name==version`` arguments after ``--override``
replace a bound that cannot be installed here (said in docs/install.md). medgen itself is skipped.
Usage: python oldest_pins.py PYPROJECT... [--override NAME==VERSION...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.version import Version


def lower_bounds(pyprojects: list[str]) -> dict[str, Version]:
    bounds: dict[str, Version] = {}
    for path in pyprojects:
        project = tomllib.loads(Path(path).read_text())["project"]
        extras = [r for group in project.get("optional-dependencies", {}).values() for r in group]
        for req in map(Requirement, [*project.get("dependencies", []), *extras]):
            name = req.name.lower().replace("_", "-")
            floors = [Version(s.version) for s in req.specifier if s.operator == ">="]
            if name == "medgen":
                continue
            if not floors:
                sys.exit(f"{path}: {req} has no lower bound")
            bounds[name] = max([*floors, bounds.get(name, floors[0])])
    return bounds


def main() -> None:
    args = sys.argv[1:]
    files, overrides = (
        (args[: args.index("--override")], args[args.index("--override") + 1 :]) if "--override" in args else (args, [])
    )
    pins = {name: f"{name}=={version}" for name, version in lower_bounds(files).items()}
    for override in overrides:
        pins[Requirement(override).name.lower()] = override
    print("\n".join(sorted(pins.values())))


if __name__ == "__main__":
    main()
