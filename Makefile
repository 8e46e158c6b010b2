# Talent Card Concierge: set-up, run, test and benchmark.
#
# Two virtual environments (Rasa 3.6 pins Python <= 3.10; the hub wants 3.11+),
# each (re)installed only when it is missing or its requirements changed. The
# Rasa model is named after a hash of its training inputs, so it is retrained
# only when bot/data, domain.yml or config.yml changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
# Two shared cores: one heavy job at a time, in the order written.
.NOTPARALLEL:

HUB_VENV := .venv/hub
BOT_VENV := .venv/bot
HUB_PY := $(HUB_VENV)/bin/python
BOT_PY := $(BOT_VENV)/bin/python
RASA := $(BOT_VENV)/bin/rasa
# Stamps inside each venv: newer than the requirements = installed from them.
HUB_READY := $(HUB_VENV)/.installed
BOT_READY := $(BOT_VENV)/.installed

# Same recipe as scripts/model_hash.py: sha256 of sha256sum's sorted listing.
TRAINING_INPUTS := bot/data domain.yml config.yml
MODEL_HASH := $(shell find $(TRAINING_INPUTS) -type f 2>/dev/null | LC_ALL=C sort \
	| xargs -r -d '\n' sha256sum | sha256sum | cut -c1-12)
MODEL := models/tcc-$(MODEL_HASH).tar.gz

export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_ROOT_USER_ACTION := ignore
export PIP_NO_INPUT := 1
export PIP_PROGRESS_BAR := off

.PHONY: help setup model-path run train test validate test-bot test-stories test-hub browser bench lint types clean distclean

help: ## Show this help
	@echo "Talent Card Concierge. Usage: make <target>"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

setup: $(HUB_READY) $(BOT_READY) ## Create both virtual environments (only what is missing or changed)

$(HUB_READY): hub/requirements.txt requirements-dev.txt
	@if ! $(HUB_PY) -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then \
	  py=$$(scripts/find-python311); \
	  echo "Creating $(HUB_VENV) with $$py"; \
	  rm -rf $(HUB_VENV); "$$py" -m venv $(HUB_VENV); \
	fi
	@echo "Installing the hub environment ($(HUB_VENV)) ..."
	$(HUB_PY) -m pip install --quiet --upgrade pip
	$(HUB_PY) -m pip install --quiet -r hub/requirements.txt -r requirements-dev.txt
	@touch $@

# setuptools is left to the lock's own pin (rasa wants <70.4): upgrading it first
# would only be undone.
$(BOT_READY): bot/requirements.lock
	@if ! $(BOT_PY) -c 'import sys; assert (3, 8) <= sys.version_info[:2] <= (3, 10)' 2>/dev/null; then \
	  py=$$(scripts/find-python310); \
	  echo "Creating $(BOT_VENV) with $$py"; \
	  rm -rf $(BOT_VENV); "$$py" -m venv $(BOT_VENV); \
	fi
	@echo "Installing the bot environment ($(BOT_VENV)); the first time takes several minutes ..."
	$(BOT_PY) -m pip install --quiet --upgrade pip wheel
	$(BOT_PY) -m pip install --quiet -r bot/requirements.lock
	@touch $@

model-path: ## Print the path of the model for the current training data
	@echo $(MODEL)

train: $(MODEL) ## Train the Rasa model if its inputs changed
	@echo "Model: $(MODEL)"

# The time goes to var/train-time for `make bench` (note: Rasa reuses its cache in
# .rasa/, so a retrain after a small change is faster than a cold one).
$(MODEL): | $(BOT_READY)
	@mkdir -p models var/logs
	@echo "Training $(MODEL) (bot/data, domain.yml or config.yml changed); log: var/logs/train.log"
	@start=$$(date +%s); \
	$(RASA) train --data bot/data --domain domain.yml --config config.yml \
	  --out models --fixed-model-name tcc-$(MODEL_HASH) 2>&1 | tee var/logs/train.log; \
	test -f $@ || { echo "error: training did not produce $@" >&2; exit 1; }; \
	echo "$(MODEL_HASH) $$(( $$(date +%s) - start ))" > var/train-time
	@find models -maxdepth 1 -name 'tcc-*.tar.gz' ! -name 'tcc-$(MODEL_HASH).tar.gz' -print -delete

run: $(HUB_READY) $(BOT_READY) $(MODEL) ## Migrate, seed and start hub, Rasa and action server (Ctrl-C stops)
	@$(HUB_PY) -m scripts.run --model $(MODEL)

test: setup $(MODEL) validate test-bot test-stories test-hub ## Run every test (what CI runs)
	@echo "All tests passed."

validate: $(BOT_READY) ## rasa data validate (warnings fail too)
	$(RASA) data validate --data bot/data --domain domain.yml --config config.yml --fail-on-warnings

test-bot: $(BOT_READY) ## Action tests (bot environment)
	$(BOT_PY) -m pytest tests/bot

test-stories: $(MODEL) ## Rasa test stories against the trained model
	@out=$$(mktemp -d); \
	if $(RASA) test core --stories tests/bot/stories --fail-on-prediction-errors \
	     --model $(MODEL) --out "$$out"; then rm -rf "$$out"; \
	else echo "Failed test stories (kept in $$out):" >&2; \
	  cat "$$out/failed_test_stories.yml" >&2 2>/dev/null || true; exit 1; fi

# tests/browser drives the staff console in Debian's Chromium (Playwright's own
# browser download cannot work offline). Installed here when we may (root with
# apt); elsewhere the browser tests skip themselves and say why.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests ..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
	  || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "warning: could not install chromium; the browser tests will be skipped" >&2; \
	else echo "note: no chromium (sudo apt-get install chromium); the browser tests will be skipped" >&2; fi

test-hub: $(HUB_READY) $(BOT_READY) $(MODEL) browser ## Hub API, end-to-end and browser tests (hub environment)
	TCC_MODEL_PATH=$(abspath $(MODEL)) $(HUB_PY) -m pytest tests/hub tests/e2e $(wildcard tests/browser)

bench: $(HUB_READY) $(BOT_READY) $(MODEL) ## Chat latency and throughput, memory, training time, reminders at scale, NLU cross-validation (prints, never asserts)
	$(HUB_PY) -m scripts.bench --model $(MODEL)
	$(HUB_PY) -m scripts.bench_reminders
	$(BOT_PY) -m scripts.bench_nlu

lint: $(HUB_READY) ## ruff check
	$(HUB_VENV)/bin/ruff check .

types: $(HUB_READY) ## mypy on the hub
	$(HUB_VENV)/bin/mypy hub

clean: ## Remove models, local state (var/: database, logs) and caches; keeps .env and .venv
	rm -rf models/*.tar.gz var .rasa .pytest_cache .ruff_cache .mypy_cache results
	find . -path ./.venv -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf

distclean: clean ## clean, and remove both virtual environments
	rm -rf .venv
