#!/usr/bin/env bash
# Builds the sdist and then, from it, the wheel of the core, every package in plugins/ and examples/medgen-hello
# into DIST, each from a clean copy (no stale build/ or egg-info of the checkout can leak in). PYTHON needs pip and
# setuptools>=77; nothing is downloaded. Usage: .ci/build_wheels.sh DIST [PYTHON]
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
DIST="$(mkdir -p "$1" && cd "$1" && pwd)"
PY="${2:-python3}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/medgen-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
for package in "$REPO" "$REPO"/plugins/*/ "$REPO/examples/medgen-hello"; do
    src="$WORK/src/$(basename "$package")"
    mkdir -p "$src"
    tar -C "$package" --exclude-vcs --exclude=./.venv --exclude=./runs --exclude=./dist --exclude=build \
        --exclude='*.egg-info' --exclude=__pycache__ -cf - . | tar -C "$src" -xf -
    sdist="$(cd "$src" && "$PY" -c "from setuptools import build_meta as b; print(b.build_sdist('$DIST'))" | tail -n 1)"
    "$PY" -m pip wheel -q --no-deps --no-build-isolation --no-index -w "$DIST" "$DIST/$sdist"
done
ls -l "$DIST"
