#!/usr/bin/env bash
# The lower bounds the packages declare, tested: fresh virtual environments with the OLDEST version of each
# dependency (read from the pyproject.toml files by .ci/oldest_pins.py), then the tests of the packages that
# depend on them (docs/install.md lists what is tested here and which bounds are only claims).
# Stage 1: the core (with its extras), medgen-classical and medgen-build on Python 3.10.
# Stage 2: medgen-text with the oldest torch on this machine's disk and the oldest transformers it declares.
# Needs the package index once (then pip's cache). Usage: .ci/oldest_bounds.sh
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
# Python 3.10: pyenv's (its shim hides versions other than the global one), else one on PATH.
PYTHON_OLDEST="${PYTHON_OLDEST:-$(ls -d "$(pyenv root 2>/dev/null)"/versions/3.10*/bin/python3.10 2>/dev/null | tail -n 1)}"
PYTHON_OLDEST="${PYTHON_OLDEST:-python3.10}"
"$PYTHON_OLDEST" -V >/dev/null || { echo "no Python 3.10 found; set PYTHON_OLDEST" >&2; exit 1; }
PYTHON="${PYTHON:-python3}"
CHECKOUT_VENV="${CHECKOUT_VENV:-$REPO/.venv}"
[ -x "$CHECKOUT_VENV/bin/python" ] || { echo "no $CHECKOUT_VENV: run make setup first" >&2; exit 1; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/medgen-oldest.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 LITELLM_LOCAL_MODEL_COST_MAP=True
unset PYTHONPATH MEDGEN_LOAD_PLUGINS MEDGEN_DATA_ROOT
SECONDS=0
cd "$REPO"

oldest() {  # oldest PYPROJECT... [--override NAME==VERSION...]: the declared lower bounds as pins
    "$CHECKOUT_VENV/bin/python" "$REPO/.ci/oldest_pins.py" "$@"  # needs tomllib and packaging
}

fresh_venv() {  # fresh_venv PYTHON NAME PACKAGES...: a new venv with exactly these versions, plus setuptools
    local python="$1" venv="$WORK/$2"
    shift 2
    "$python" -m venv "$venv"
    "$venv/bin/pip" install -q "setuptools>=77" "$@"
}

echo "== stage 1: core, medgen-classical, medgen-build at their oldest dependencies on $("$PYTHON_OLDEST" -V)"
mapfile -t PINS < <(oldest pyproject.toml plugins/medgen-classical/pyproject.toml plugins/medgen-build/pyproject.toml \
    --without distributed)
echo "${PINS[*]}"
fresh_venv "$PYTHON_OLDEST" core "${PINS[@]}"
# Every plugin, the others without their dependencies: loading them is light, and the core's tests (medgen
# validate, the light-import check) expect their names; no test here calls them.
mapfile -t EDITABLE < <(for p in . plugins/*/; do printf '%s\n' -e "$p"; done)
"$WORK/core/bin/pip" install -q --no-deps --no-build-isolation "${EDITABLE[@]}"
# Two runs: the plugins' conftest files put their own folders first on sys.path, hiding tests/conftest.py.
"$WORK/core/bin/python" -m pytest -q -p no:cacheprovider tests/core tests/data
# The sample rebuilds byte for byte only on constraints.txt's versions (make test checks that); other numpy,
# scipy or scikit-image releases round some pixels differently, so that one test is left out here.
"$WORK/core/bin/python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning plugins/medgen-classical \
    plugins/medgen-build \
    --deselect plugins/medgen-build/tests/test_sample.py::test_rebuild_is_byte_identical_to_committed_checksums

# torch 2.13.0 is the oldest torch this machine holds (a local CPU wheel; older ones are multi-GB CUDA downloads).
echo "== stage 2: medgen-text at its oldest dependencies, torch 2.13.0, on $("$PYTHON" -V)"
mapfile -t PINS < <(oldest pyproject.toml plugins/medgen-text/pyproject.toml --without distributed \
    --override torch==2.13.0)
echo "${PINS[*]}"
fresh_venv "$PYTHON" text "${PINS[@]}"
"$WORK/text/bin/pip" install -q --no-deps --no-build-isolation -e . -e plugins/medgen-text
"$WORK/text/bin/pip" list 2>/dev/null | grep -iE '^(torch|transformers|tokenizers|huggingface-hub|nltk|numpy) '
"$WORK/text/bin/python" -m pytest -q -p no:cacheprovider plugins/medgen-text

echo "== stage 3: medgen-litellm and medgen-judge at their oldest dependencies on $("$PYTHON" -V)"
# Only their own bounds are pinned (the core's are stage 1's): litellm itself needs newer releases of some.
mapfile -t PINS < <(oldest plugins/medgen-litellm/pyproject.toml plugins/medgen-judge/pyproject.toml)
echo "${PINS[*]}"
fresh_venv "$PYTHON" judge "${PINS[@]}"
"$WORK/judge/bin/pip" install -q --no-build-isolation -e . "${PINS[@]}"
"$WORK/judge/bin/pip" install -q --no-deps --no-build-isolation -e plugins/medgen-litellm -e plugins/medgen-judge
# The judged main job needs every scorer (torch and all): make test runs it on constraints.txt's versions.
"$WORK/judge/bin/python" -m pytest -q -p no:cacheprovider plugins/medgen-litellm plugins/medgen-judge \
    --deselect plugins/medgen-judge/tests/test_main_job.py
echo "oldest bounds: ${SECONDS}s"
