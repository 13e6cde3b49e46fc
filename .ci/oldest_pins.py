"""Prints ``name==version`` for the lower bound of every dependency (and extra) of the given pyproject.toml files.

Used by .ci/oldest_bounds.sh so that the versions it tests are exactly the bounds the packages declare. A name
bounded in several files gets the highest of its bounds; ``--override name==version`` replaces a bound that
cannot be installed here, ``--without EXTRA`` leaves an extra out (both said in docs/install.md). Our own
packages (medgen, medgen-*) are skipped: the job installs them from the checkout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.version import Version


def lower_bounds(pyprojects: list[str], without: set[str]) -> dict[str, Version]:
    bounds: dict[str, Version] = {}
    for path in pyprojects:
        project = tomllib.loads(Path(path).read_text())["project"]
        groups = {"": project.get("dependencies", []), **project.get("optional-dependencies", {})}
        for group, requirements in groups.items():
            if group in without:
                continue
            for req in map(Requirement, requirements):
                name = req.name.lower().replace("_", "-")
                if name == "medgen" or name.startswith("medgen-"):
                    continue
                floors = [Version(s.version) for s in req.specifier if s.operator == ">="]
                if not floors:
                    sys.exit(f"{path}: {req} has no lower bound")
                bounds[name] = max([*floors, bounds.get(name, floors[0])])
    return bounds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pyprojects", nargs="+")
    parser.add_argument("--override", action="append", default=[], help="NAME==VERSION instead of the bound")
    parser.add_argument("--without", action="append", default=[], help="an extra to leave out")
    args = parser.parse_args()
    pins = {name: f"{name}=={version}" for name, version in lower_bounds(args.pyprojects, set(args.without)).items()}
    for override in args.override:
        pins[Requirement(override).name.lower()] = override
    print("\n".join(sorted(pins.values())))


if __name__ == "__main__":
    main()
