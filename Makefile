# Set-up and everyday commands. Every target that needs Python first creates the virtual environment
# and installs the locked dependencies it needs: serving and building only requirements/build.txt,
# testing (and make pdf, make bench) requirements/test.txt as well. A fresh clone needs only
# Python 3.11.2 to 3.13 (with its venv module) and git. In an unpacked offline bundle (make bundle), the
# build packages are installed from its requirements/wheels/ with no network.
#
#   make test PYTHON=/usr/bin/python3 VENV=.venv-debian   another Python, in its own environment
#   make build RUNNER=properdocs                          the second runner (see macros/adapters/runner.py)
#   make serve PORT=8001                                  another port
#   make bundle PLATFORMS=win_amd64 PYTHONS=3.11          an offline bundle for fewer systems
#
# On Windows (no make): portal.cmd, or `python -m macros <command>` (see the README).

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
BUILD_STAMP := $(VENV)/.installed-build
TEST_STAMP := $(VENV)/.installed-test
PIP := $(BIN)/python -m pip --disable-pip-version-check
LOCK_VENV := build/lock-venv
INSTALL_LOG := $(VENV)/install.log
# An unpacked offline bundle carries the build packages' wheels: install from them, with no package index.
WHEELS := requirements/wheels
OFFLINE := $(if $(wildcard $(WHEELS)/*.whl),--no-index --find-links $(WHEELS))
INSTALL_FROM := $(if $(OFFLINE),从离线包 $(WHEELS)/ 安装，约需 1 分钟,从软件包索引下载，视网速约需 1 至 5 分钟)
DIST ?= dist
WHEELHOUSE ?= .cache/wheelhouse
PLATFORMS ?= manylinux2014_x86_64 manylinux2014_aarch64 win_amd64
PYTHONS ?= 3.11 3.12 3.13
export NO_MKDOCS_2_WARNING := true
export PYTHONDONTWRITEBYTECODE := 1
ifdef RUNNER
export PORTAL_RUNNER := $(RUNNER)
endif

.PHONY: serve build build-local test check clean-text status new schema pdf bench lock clean bundle

# A missing or too old Python, or Debian's python3 without its venv module, is one line saying what to install.
# Installing says in one line what and how long; pip's own output is kept in $(INSTALL_LOG), shown only on failure.
$(BUILD_STAMP): requirements/build.txt
	@test -x $(BIN)/python || $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	  || { echo "需要 Python 3.11 至 3.13（$(PYTHON) 不可用或版本太旧）。Debian 12 上可运行：apt-get install python3 python3-venv" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) >/dev/null \
	  || { rm -rf $(VENV); echo "无法创建虚拟环境 $(VENV)。Debian 上请先运行：apt-get install python3-venv" >&2; exit 1; }
	@echo "正在安装生成和预览所需的软件包（约 84 MB，$(INSTALL_FROM)）；只在第一次和依赖更新后安装……"
	@$(PIP) install --no-deps --require-virtualenv $(OFFLINE) -r requirements/build.txt >$(INSTALL_LOG) 2>&1 \
	  && $(PIP) check >>$(INSTALL_LOG) 2>&1 \
	  || { cat $(INSTALL_LOG) >&2; echo "安装失败。上面是安装程序的原始输出，也保存在 $(INSTALL_LOG)；请把它发给技术人员。$(if $(OFFLINE),,没有网络的机器请用离线包安装（见 README“离线安装”）。)" >&2; exit 1; }
	@touch $@

$(TEST_STAMP): requirements/test.txt $(BUILD_STAMP)
	@echo "正在安装测试所需的软件包（约 55 MB，视网速约需 1 至 3 分钟）……"
	@$(PIP) install --no-deps --require-virtualenv -r requirements/test.txt >>$(INSTALL_LOG) 2>&1 \
	  && $(PIP) check >>$(INSTALL_LOG) 2>&1 \
	  || { cat $(INSTALL_LOG) >&2; echo "安装失败。上面是安装程序的原始输出，也保存在 $(INSTALL_LOG)。" >&2; exit 1; }
	@touch $@

# `make serve ID=<id>` previews one meeting (and the home page): a saved change shows in about a second
# even with thousands of meetings. Without ID the whole portal is built into site/ as `make build` does
# (only what changed, through the build cache) and served; each saved change rebuilds it and reloads the page.
serve: $(BUILD_STAMP)
	@PORTAL_ONLY=$(ID) $(if $(ID),PORTAL_SEARCH=off) $(BIN)/python -m macros.adapters.cli serve --port $(PORT)

build: $(BUILD_STAMP)
	@$(BIN)/python -m macros.adapters.cli build

build-local: $(BUILD_STAMP)
	@$(BIN)/python -m macros.adapters.cli build-local

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

# `make check STAGED=1` checks what git has staged for the next commit (the pre-commit hook runs it).
check: $(BUILD_STAMP)
	@$(BIN)/python -m macros.adapters.cli check $(if $(STAGED),--staged)

# Removes the invisible characters the check refuses (pasted from PDF, Word or web pages) from the data files.
clean-text: $(BUILD_STAMP)
	@$(BIN)/python -m macros.adapters.cli clean-text

status: $(BUILD_STAMP)
	@$(BIN)/python -m macros.adapters.cli status $(ID)

new: $(BUILD_STAMP)
	@$(BIN)/python -m macros.adapters.cli new $(ID)

pdf: build $(TEST_STAMP)
	@$(BIN)/python -m macros.adapters.cli pdf

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

# One archive under dist/ with the project and the wheels of every build package, for each platform and
# Python in PLATFORMS and PYTHONS (downloaded once into WHEELHOUSE); see the README's 离线安装.
bundle: $(BUILD_STAMP)
	@$(BIN)/python -m macros.adapters.bundle --dist $(DIST) --wheelhouse $(WHEELHOUSE) --platforms "$(PLATFORMS)" --pythons "$(PYTHONS)"

clean:
	rm -rf site site.* .site.* site-local site-local.* .site-local.* .pytest_cache .cache/portal

schema: $(BUILD_STAMP)
	$(BIN)/python -m macros.adapters.cli schema

bench: $(TEST_STAMP)
	$(BIN)/python -m bench.run $(if $(QUICK),--quick) $(if $(CACHE),--cache-only)
