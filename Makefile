# The README's two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
# The interpreter itself, not a shim (pyenv's): uv recreates a venv whose interpreter path differs
# from the one asked for, which made every `uv run` rebuild .venv.
PYTHON_EXE := $(shell $(PYTHON) -c 'import sys; print(sys.executable)')
HOST ?= 127.0.0.1
PORT ?= 8000
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON_EXE)
# Installed packages compiled to bytecode once, at install: where PYTHONDONTWRITEBYTECODE is set
# (this kind of machine sets it) every start otherwise recompiled Wagtail and Django (5 s).
export UV_COMPILE_BYTECODE := 1

# uv from PATH if it is there, otherwise a private copy in .tools/ (pip, from PyPI).
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen

.PHONY: run test check install system-packages demo serve clean

run: install system-packages
	$(RUN) python manage.py migrate --no-input
	$(RUN) python manage.py load_demo --site-url http://$(HOST):$(PORT)
	@echo "网站地址：http://$(HOST):$(PORT)/  （按 Ctrl+C 停止）"
	$(RUN) uvicorn config.asgi:application --host $(HOST) --port $(PORT) --lifespan off --ws websockets-sansio

# The player's logic under node's own test runner (no browser, no packages), then the suite.
test: install
	node --test tests/js/
	$(RUN) pytest $(PYTEST_ARGS)

# What CI checks besides the tests (also run by pre-commit).
check: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(RUN) python manage.py check
	DJANGO_SETTINGS_MODULE=config.settings.test $(RUN) python manage.py makemigrations --check --dry-run

install: .venv/.synced $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

# The project's translations (what Wagtail's own Chinese catalog lacks), compiled without gettext.
locale/%.mo: locale/%.po .venv/.synced
	$(RUN) python scripts/compile_messages.py

.venv/.synced: pyproject.toml uv.lock Makefile | $(UV)
	$(UV) sync --frozen
	@touch $@

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

# As root on Debian, install the system packages the platform wants; elsewhere say what falls back.
system-packages:
	@bash scripts/system-packages.sh

clean:
	rm -rf .venv .tools var staticfiles
