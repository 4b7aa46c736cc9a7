# Set-up and everyday commands. Every target that needs Python first creates the virtual environment
# and installs the locked dependencies it needs: serving and building only requirements/build.txt,
# testing (and make pdf, make bench) requirements/test.txt as well. A fresh clone needs only
# Python 3.11.2 to 3.13 (with its venv module) and git.
#
#   make test PYTHON=/usr/bin/python3 VENV=.venv-debian   another Python, in its own environment
#   make build RUNNER=properdocs                          the second runner (see macros/adapters/runner.py)
#   make serve PORT=8001                                  another port

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
BUILD_STAMP := $(VENV)/.installed-build
TEST_STAMP := $(VENV)/.installed-test
PIP := $(BIN)/python -m pip --disable-pip-version-check
LOCK_VENV := build/lock-venv
export NO_MKDOCS_2_WARNING := true
export PYTHONDONTWRITEBYTECODE := 1
ifdef RUNNER
export PORTAL_RUNNER := $(RUNNER)
endif

.PHONY: serve build build-local test check clean-text status new schema pdf bench lock clean

# A missing or too old Python, or Debian's python3 without its venv module, is one line saying what to install.
$(BUILD_STAMP): requirements/build.txt
	@test -x $(BIN)/python || $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	  || { echo "需要 Python 3.11 至 3.13（$(PYTHON) 不可用或版本太旧）。Debian 12 上可运行：apt-get install python3 python3-venv" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) >/dev/null \
	  || { rm -rf $(VENV); echo "无法创建虚拟环境 $(VENV)。Debian 上请先运行：apt-get install python3-venv" >&2; exit 1; }
	$(PIP) install --quiet --no-deps --require-virtualenv -r requirements/build.txt
	$(PIP) check
	touch $@

$(TEST_STAMP): requirements/test.txt $(BUILD_STAMP)
	$(PIP) install --quiet --no-deps --require-virtualenv -r requirements/test.txt
	$(PIP) check
	touch $@

# `make serve ID=<id>` previews one meeting (and the home page): a saved change shows in about a second
# even with thousands of meetings. Without ID the whole portal is served.
serve: $(BUILD_STAMP)
	PORTAL_ONLY=$(ID) $(if $(ID),PORTAL_SEARCH=off) $(BIN)/python -m macros.adapters.cli serve --port $(PORT)

build: $(BUILD_STAMP)
	$(BIN)/python -m macros.adapters.cli build

build-local: $(BUILD_STAMP)
	$(BIN)/python -m macros.adapters.cli build-local

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

check: $(BUILD_STAMP)
	$(BIN)/python -m macros.adapters.cli check

# Removes the invisible characters the check refuses (pasted from PDF, Word or web pages) from the data files.
clean-text: $(BUILD_STAMP)
	$(BIN)/python -m macros.adapters.cli clean-text

status: $(BUILD_STAMP)
	$(BIN)/python -m macros.adapters.cli status $(ID)

new: $(BUILD_STAMP)
	$(BIN)/python -m macros.adapters.cli new $(ID)

pdf: build $(TEST_STAMP)
	$(BIN)/python -m macros.adapters.cli pdf

# Both locks from the .in files, resolved in a fresh environment by $(PYTHON): run it with the oldest
# Python the portal supports (`make lock PYTHON=/usr/bin/python3` on Debian 12), so every pin installs there.
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/build.in
	$(LOCK_VENV)/bin/python -m pip freeze --exclude-editable > requirements/build.txt
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/test.in
	$(LOCK_VENV)/bin/python -m pip freeze --exclude-editable | grep -vxFf requirements/build.txt > requirements/test.txt
	$(LOCK_VENV)/bin/python -m pip check
	rm -rf $(LOCK_VENV)

clean:
	rm -rf site site.* .site.* site-local site-local.* .site-local.* .pytest_cache

schema: $(BUILD_STAMP)
	$(BIN)/python -m macros.adapters.cli schema

bench: $(TEST_STAMP)
	$(BIN)/python -m bench.run $(if $(QUICK),--quick)
