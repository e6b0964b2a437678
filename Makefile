# The two commands a newcomer needs: `make run` and `make test` (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTHON ?= python3
FLASK := $(PY) -m flask --app portal

.PHONY: run test install test-deps translations translations-update db demo lint clean

run: install translations db demo
	$(FLASK) run --host 127.0.0.1 --port 5000

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt -c constraints.txt
	touch $@

test-deps: $(VENV)/.test-installed

$(VENV)/.test-installed: $(VENV)/.installed requirements-dev.txt constraints.txt node_modules/.installed
	$(PIP) install -q -r requirements-dev.txt -c constraints.txt
	touch $@

# axe-core for the accessibility checks in the browser tests (package.json pins it).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

translations: install
	$(PY) -m babel.messages.frontend -q compile -d translations

# Extract new strings and merge them into the catalogs; then translate the Czech ones.
translations-update: install
	$(PY) -m babel.messages.frontend -q extract -F babel.cfg -k _l -k lazy_gettext \
		--ignore-dirs=.venv --ignore-dirs=node_modules --ignore-dirs=tests -o translations/messages.pot .
	$(PY) -m babel.messages.frontend -q update -i translations/messages.pot -d translations --no-fuzzy-matching

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo-data

test: lint translations
	$(PY) -m pytest -q -p no:cacheprovider

# ruff (ruff.toml), the layers' import contracts (.importlinter) and bandit: no finding of
# medium or high severity without a written reason on its line.
lint: test-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/bandit -q -r . -x ./.venv,./tests,./migrations,./node_modules --severity-level medium

clean:
	rm -rf $(VENV) instance/portal.sqlite3*
