# Portal Komunalny — `make run` starts everything, `make test` tests everything.
# Services are discovered by folder: every directory under services/ is one service.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
SERVICES := $(notdir $(wildcard services/*))
PROTO_FILES := $(shell find proto -name '*.proto' | sort)
PROTO_OUT := libs/portal_proto/src
PYTEST_ARGS ?=
COMPOSE := docker compose -f deploy/compose/compose.yaml --env-file deploy/compose/.env

.PHONY: help run test proto lint bench clean setup uv compose-up compose-down

help:
	@echo "make run    — start every service on embedded defaults (http://127.0.0.1:8000)"
	@echo "make test   — run all tests (PostgreSQL/NATS from TEST_DATABASE_URL/TEST_NATS_URL if set)"
	@echo "make proto  — generate Python code from proto/"
	@echo "make lint   — ruff + mypy"
	@echo "make bench  — run the benchmarks in bench/"
	@echo "make clean  — remove generated code, var/ and caches"
	@echo "make compose-up / compose-down — build and run the docker compose installation (needs Docker)"
	@echo "services: $(SERVICES)"

uv:
	@command -v uv >/dev/null 2>&1 || test -x "$(UV)" || $(PYTHON) -m pip install --user --quiet uv || $(PYTHON) -m pip install --quiet uv

setup: uv
	@$(UV) sync --all-packages --quiet
	@$(MAKE) --no-print-directory proto

proto:
	@$(UV) run --no-sync python -m grpc_tools.protoc -I proto \
		--python_out=$(PROTO_OUT) --grpc_python_out=$(PROTO_OUT) --pyi_out=$(PROTO_OUT) \
		$(PROTO_FILES)
	@find $(PROTO_OUT)/portal -mindepth 1 -type d -exec sh -c 'test -f "$$1/__init__.py" || : > "$$1/__init__.py"' _ {} \;
	@echo "proto: generated $(words $(PROTO_FILES)) contracts into $(PROTO_OUT)/portal"

run: setup
	@$(UV) run --no-sync python -m portal_platform.devrun

test: setup
	@$(UV) run --no-sync pytest $(PYTEST_ARGS)

lint: setup
	@$(UV) run --no-sync ruff check .
	@$(UV) run --no-sync ruff format --check .
	@$(UV) run --no-sync mypy libs/portal_platform/src $(addprefix services/,$(addsuffix /src,$(SERVICES)))

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(UV) run --no-sync python $$b || exit 1; done

clean:
	@find $(PROTO_OUT)/portal -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
	@rm -rf var .pytest_cache .mypy_cache .ruff_cache test-artifacts
	@find . -name __pycache__ -type d -prune -exec rm -rf {} +

compose-up:
	@test -f deploy/compose/.env || { echo "deploy/compose/.env is missing; create it with:"; echo "  python3 deploy/fill_secrets.py deploy/compose/.env.example > deploy/compose/.env"; exit 1; }
	$(COMPOSE) up -d --build
	python3 deploy/smoke.py deploy/compose/.env

compose-down:
	$(COMPOSE) down
