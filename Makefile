# The two commands a new user needs: `make run` (check the sample claims) and `make test`.
# Each installs what is missing first: Debian packages (sudo when not root), a .venv, the package itself.

SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# What the product needs at run time.
APT_RUN := python3 python3-venv python3-pip tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra \
  tesseract-ocr-ita tesseract-ocr-spa tesseract-ocr-jpn tesseract-ocr-chi-sim qpdf fonts-noto-cjk \
  fonts-dejavu-core fonts-liberation2
# What only the tests need: a browser for the web page, Redis and PostgreSQL for the scaled-out path.
APT_TEST := chromium redis-server postgresql poppler-utils procps psmisc
SAMPLES := samples/claims
NOW := 2026-11-25T12:00:00Z

.PHONY: run test setup system system-test bench samples clean

define apt_missing
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

system:
	$(call apt_missing,$(APT_RUN))

system-test:
	$(call apt_missing,$(APT_TEST))

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

setup: system $(VENV)/.installed

$(SAMPLES)/.done: $(VENV)/.installed $(wildcard samples/*.py samples/*/*.py)
	$(PY) -m samples.generate --only claims --claims $(SAMPLES)
	touch $@

samples: setup $(SAMPLES)/.done

# Check every sample claim, print its report and write its bundle to build/bundles/. A claim with errors is a
# result, not a failure of `make run`; exit code 2 (usage or internal error) is.
run: samples
	@mkdir -p build/bundles; rc=0; for c in $(SAMPLES)/*/claim.toml; do \
	  name=$$(basename $$(dirname $$c)); echo "=== $$name ($$c)"; \
	  $(VENV)/bin/evidence bundle --claim $$c --now $(NOW) -o build/bundles/$$name.pdf; s=$$?; \
	  [ $$s -le 1 ] || rc=$$s; echo; \
	done; echo "bundles: build/bundles/"; exit $$rc

test: setup system-test
	bash .ci/services.sh
	set -a; [ -f build/services.env ] && . build/services.env; set +a; $(PY) -m pytest -q

bench: samples system-test
	bash .ci/services.sh
	$(PY) bench/run_all.py

clean:
	rm -rf build $(SAMPLES) .pytest_cache test-artifacts
