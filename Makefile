# Two entry points for a new machine: `make serve` and `make test`.
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PORT  ?= 5000
# Bytecode is kept even where PYTHONDONTWRITEBYTECODE is set: pytest then rewrites each test module's
# assertions once, not on every run (3 s of the loop).
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -q

.PHONY: serve test check lint translations audit checkers bench search-eval bench-compare bench-build bench-open-data bench-memory bench-scale load messages chromium postgresql memcached nginx

$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

translations: $(STAMP)
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile -d translations >/dev/null; fi

serve: $(STAMP) translations
	$(BIN)/flask --app wsgi db upgrade
	-$(BIN)/flask --app wsgi catalogue index
	# waitress's own limit is above Flask's 64 kB, so an oversized form gets Flask's page in the
	# visitor's language; waitress refuses only what is far too large to read into memory.
	$(BIN)/waitress-serve --host 127.0.0.1 --port $(PORT) --max-request-body-size 1048576 wsgi:app

# The browser tests use Debian's chromium; install it when it is missing (CI runs as root).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The PostgreSQL tests start their own server on loopback from Debian's postgresql binaries.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

# Several nodes share their rate-limit counts in memcached; the tests start one on loopback.
memcached:
	@command -v memcached >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq memcached >/dev/null; }

# The production set-up in deploy/ is tested for real: nginx with TLS (openssl makes its certificate).
nginx:
	@{ command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx openssl >/dev/null; }

# Lint, format and types: part of `make check` (the fast loop) and `make test` (CI).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The loop to run after every change: lint, types and every test that needs no browser.
check: lint translations postgresql memcached nginx
	$(PYTEST) -p xdist -n 2 -m "not browser and not system"

test: lint translations chromium checkers postgresql memcached nginx
	$(PYTEST)

# Other people's checkers (tests/checkers/): the Nu HTML Checker runs on Java, Lighthouse and pa11y on Node.js,
# both of those in Debian's Chromium (PUPPETEER_SKIP_DOWNLOAD: no browser of their own). Installed when missing.
CHECKERS := tests/checkers/node_modules/.installed-$(shell cksum tests/checkers/package-lock.json | cut -d' ' -f1)
checkers: chromium $(CHECKERS)
$(CHECKERS): tests/checkers/package-lock.json
	@MISSING="$$(command -v java >/dev/null || echo default-jre-headless) $$(command -v node >/dev/null || echo nodejs) \
		$$(command -v npm >/dev/null || echo npm)"; MISSING=$$(echo $$MISSING); [ -z "$$MISSING" ] || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$MISSING >/dev/null; }
	cd tests/checkers && PUPPETEER_SKIP_DOWNLOAD=true npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The three checkers over the real content, served on loopback: one report, instance/audit/report.md.
audit: $(STAMP) translations checkers
	$(BIN)/python bench/audit.py

bench: $(STAMP) translations
	$(BIN)/python bench/search_bench.py

# Issue 25's public evaluation set (tests/search_eval.yml) on the real content: recall@5, zero results,
# false corrections and stated-fact contradictions, per language, and a row for BENCHMARKS.md.
search-eval: $(STAMP) translations
	$(BIN)/python bench/search_eval.py

# The search page on the real content, this revision against BEFORE, alternating query by query.
BEFORE ?= 102e498
bench-search-change: $(STAMP)
	$(BIN)/python bench/search_before_after.py --before $(BEFORE) --rounds 6

# Side by side in one run: our search page, Datasette's faceted table page (its own venv, not a
# dependency of the site) and a static file of the same size; see BENCHMARKS.md.
bench/.venv-datasette/bin/datasette: bench/requirements-datasette.txt
	python3 -m venv bench/.venv-datasette
	bench/.venv-datasette/bin/pip install --quiet -r bench/requirements-datasette.txt

bench-compare: $(STAMP) translations bench/.venv-datasette/bin/datasette
	$(BIN)/python bench/compare_bench.py --sizes 1000 10000 --requests 300 --seconds 20

# Where a build of 10,000 providers spends its time, and the share Whoosh's writer takes alone.
bench-build: $(STAMP)
	$(BIN)/python bench/build_floor.py --providers 10000

bench-scale: $(STAMP) translations
	$(BIN)/python bench/scale.py --sizes 1000 10000 50000

bench-open-data: $(STAMP) translations
	$(BIN)/python bench/open_data_bench.py --providers 10000 --repeats 15

# The bounded load test: 50 clients for 20 s against gunicorn on the real content; fails on any 5xx.
load: $(STAMP) translations
	$(BIN)/python bench/load.py

# Memory per gunicorn worker after a warm-up in all five languages, at 29, 1,000 and 10,000 providers.
bench-memory: $(STAMP) translations
	$(BIN)/python bench/memory.py

# Refresh translations/messages.pot and the catalogues after changing user-facing text;
# then translate what `make test` reports as untranslated.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --omit-header -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete -w 100
