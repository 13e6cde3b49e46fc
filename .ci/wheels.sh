#!/usr/bin/env bash
# medgen installed the way users install it, on a fresh machine: wheels of the core (built from its sdist), of
# every package in plugins/ and of examples/medgen-hello, installed NON-editable with constraints.txt into a new
# virtual environment, then used from a folder outside the source tree: `medgen ls plugins|tasks|models|metrics`,
# `python -m medgen_core`, and the main job on the bundled sample, whose results must equal the checkout's
# (.venv, editable; `make setup` builds it). Offline but for the package index. Usage: .ci/wheels.sh
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
CHECKOUT_VENV="${CHECKOUT_VENV:-$REPO/.venv}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/medgen-wheels.XXXXXX")"
[ -n "${KEEP_WORK:-}" ] && echo "work folder kept: $WORK" || trap 'rm -rf "$WORK"' EXIT
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 LITELLM_LOCAL_MODEL_COST_MAP=True
unset PYTHONPATH MEDGEN_LOAD_PLUGINS MEDGEN_DATA_ROOT
JOB=(run --tasks medgen --model classical --metric_args bertscore:model=all-MiniLM-L6-v2)
SECONDS=0

[ -x "$CHECKOUT_VENV/bin/medgen" ] || { echo "no $CHECKOUT_VENV: run make setup first" >&2; exit 1; }
"$PYTHON" -m venv "$WORK/venv"
PY="$WORK/venv/bin/python"
"$PY" -m pip install -q --upgrade -c "$REPO/constraints.txt" pip setuptools

"$REPO/.ci/build_wheels.sh" "$WORK/dist" "$PY"
core="$(ls "$WORK"/dist/medgen-*.whl)"
text="$(ls "$WORK"/dist/medgen_text-*.whl)"
others=()
for wheel in "$WORK"/dist/*.whl; do
    [ "$wheel" = "$core" ] || [ "$wheel" = "$text" ] || others+=("$wheel")
done
"$PY" -m pip install -q -c "$REPO/constraints.txt" "$core[hub]" "$text[minilm]" "${others[@]}"
echo "wheels built and installed: ${SECONDS}s"

# The checkout's answers to compare with (the editable install that `make test` tested).
"$CHECKOUT_VENV/bin/python" "$REPO/.ci/check_installed.py" describe > "$WORK/checkout.json"
(cd "$WORK" && "$CHECKOUT_VENV/bin/medgen" "${JOB[@]}" --output_path "$WORK/checkout-run")

# Everything from here runs outside the source tree with the wheel environment only.
mkdir "$WORK/outside"
cd "$WORK/outside"
"$WORK/venv/bin/medgen" "${JOB[@]}" --output_path "$WORK/outside/run" | tee "$WORK/summary.txt"
"$PY" "$REPO/.ci/check_installed.py" check "$REPO" "$WORK/checkout.json" "$WORK/outside/run" \
    "$WORK/checkout-run" "$WORK/summary.txt"
echo "wheel job: ${SECONDS}s"
