# The two commands of the README:
#   make demo   install everything and run the main job on the bundled example office
#   make test   install everything and run the checks and tests
# Both work on a fresh Debian machine with Python 3.11; system packages come from apt.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO   ?= build/demo-office
APT_PACKAGES := python3-venv libreoffice-writer-nogui libreoffice-calc-nogui fonts-arphic-ukai fontconfig qpdf ghostscript poppler-utils postgresql chromium

.PHONY: demo test install system-packages lint clean

demo: install
	bash scripts/demo.sh "$(DEMO)"

test: install
	$(BIN)/ruff check docgen tests benchmarks scripts
	$(BIN)/ruff format --check docgen tests benchmarks scripts
	$(BIN)/mypy docgen
	$(BIN)/pytest -q -n auto --require-postgres

install: system-packages $(BIN)/docgen

$(BIN)/docgen: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Installs the Debian packages docgen needs (LibreOffice for PDF, the AR PL UKai TW
# font for 標楷體, qpdf and Ghostscript for packages) when any is missing.
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

lint:
	$(BIN)/ruff check docgen tests benchmarks scripts
	$(BIN)/ruff format --check docgen tests benchmarks scripts
	$(BIN)/mypy docgen

clean:
	rm -rf build .pytest_cache .mypy_cache
