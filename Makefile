# 安薪 Anxin — the two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTHON ?= python3

.PHONY: run test lint check typecheck install demo-reset

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	@test -f .env || { printf '# Developer settings (gitignored). Production uses its own environment.\nDEBUG=true\n' > .env; echo "已创建 .env（DEBUG=true，仅用于开发）"; }
	touch $@

install: $(VENV)/.installed

## make run: install, migrate, load the district and demo data, serve on 127.0.0.1:$(PORT)
run: $(VENV)/.installed
	DEBUG=true $(PY) manage.py migrate --noinput -v0
	DEBUG=true $(PY) manage.py load_district
	DEBUG=true $(PY) manage.py load_demo
	@echo "安薪已启动：http://127.0.0.1:$(PORT)/  （Ctrl+C 停止）"
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: lint, type check, Django checks, migrations check, every test (unit, API, browser).
## Runs on SQLite, or on PostgreSQL when DATABASE_URL is set.
## Tests are spread by work stealing: a worker that finishes early takes tests from the other (the two
## API fuzz runs and the long browser journeys no longer end on one worker while the other idles).
test: $(VENV)/.installed lint typecheck check
	$(VENV)/bin/pytest -n 2 --dist worksteal $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## make typecheck: mypy with the Django plugin on the packages listed in pyproject.toml [tool.mypy] files
typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

check: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=anxin.settings_test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=anxin.settings_test $(PY) manage.py makemigrations --check --dry-run

## make demo-reset: drop the local SQLite database (var/anxin.sqlite3) to start the demo afresh
demo-reset:
	rm -f var/anxin.sqlite3 var/anxin.sqlite3-wal var/anxin.sqlite3-shm
