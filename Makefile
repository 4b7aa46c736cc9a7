# Set-up and everyday commands. Every target that needs Python first creates .venv and installs
# the locked dependencies (requirements.txt), so a fresh clone needs only Python 3.11 and git.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := true
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: serve build test check status new schema pdf bench lock clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-virtualenv -r requirements.txt
	$(BIN)/python -m pip check
	touch $(STAMP)

# `make serve ID=<id>` previews one meeting (and the home page): a saved change shows in about a second
# even with thousands of meetings. Without ID the whole portal is built into site/ as `make build` does
# (only what changed, through the build cache) and served; each saved change rebuilds it and reloads the page.
serve: $(STAMP)
ifdef ID
	PORTAL_ONLY=$(ID) PORTAL_SEARCH=off $(BIN)/mkdocs serve --strict -a 127.0.0.1:8000
else
	$(BIN)/python -m macros.cli serve
endif

build: $(STAMP)
	$(BIN)/python -m macros.cli build

test: $(STAMP)
	$(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/python -m macros.cli check

status: $(STAMP)
	$(BIN)/python -m macros.cli status $(ID)

new: $(STAMP)
	$(BIN)/python -m macros.cli new $(ID)

pdf: build
	$(BIN)/python -m macros.cli pdf

lock: $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements.in
	$(BIN)/python -m pip freeze --exclude-editable > requirements.txt

clean:
	rm -rf site site.* .site.* .pytest_cache .cache/portal

schema: $(STAMP)
	$(BIN)/python -m macros.cli schema

bench: $(STAMP)
	$(BIN)/python -m bench.run $(if $(QUICK),--quick)
