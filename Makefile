# kruise-py developer commands. `make help` lists them.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: help setup binaries lint format typecheck imports unit integration e2e test run cluster crds bench clean
.PHONY: conformance conformance-short difftest fuzz

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kruise-py needs Python >= 3.11, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

setup: $(BIN)/.installed binaries helm ## virtualenv, Python packages, the control-plane binaries and Helm

binaries: ## build the pinned kube-apiserver, controller manager, scheduler, kubectl, etcd and kwok
	hack/build-binaries.sh

lint: $(BIN)/.installed ## ruff lint and format check
	$(BIN)/ruff check kruise cmd test examples hack bench
	$(BIN)/ruff format --check kruise cmd test examples hack bench

format: $(BIN)/.installed ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix kruise cmd test examples hack bench
	$(BIN)/ruff format kruise cmd test examples hack bench

typecheck: $(BIN)/.installed ## mypy --strict on kruise/ and cmd/
	$(BIN)/mypy

imports: $(BIN)/.installed ## import-layer contracts (kruise.runtime imports nothing else from kruise)
	$(BIN)/lint-imports

unit: $(BIN)/.installed ## unit tests only (no processes)
	$(BIN)/pytest test/unit $(PYTEST_ARGS)

integration: setup ## tests against etcd + kube-apiserver
	$(BIN)/pytest test/integration $(PYTEST_ARGS)

# `make e2e`: config/default server-side dry-run applied to a fresh API server, then the e2e
# suite on the local cluster with kruise-manager as a local process. E2E_CLUSTER=kind: the
# suite against kruise-py deployed into kind (hack/e2e-kind.sh; IMG, KIND_CLUSTER and
# E2E_KEEP_CLUSTER reach it from the command line or the environment).
E2E_CLUSTER ?=

e2e: setup ## e2e tests on the local cluster; E2E_CLUSTER=kind: on kind, deployed (hack/e2e-kind.sh)
ifeq ($(E2E_CLUSTER),kind)
	KUBECTL='$(KUBECTL)' PYTEST='$(BIN)/pytest' hack/e2e-kind.sh $(PYTEST_ARGS)
else ifeq ($(filter-out local,$(E2E_CLUSTER)),)
	$(BIN)/python hack/e2e-dry-run.py
	$(BIN)/pytest test/e2e $(PYTEST_ARGS)
else
	@echo "make e2e: E2E_CLUSTER is '$(E2E_CLUSTER)'; use kind, local or leave it unset" >&2; exit 2
endif

test: setup lint typecheck imports ## everything: lint, types, import layers and every test tier (difftest with 200 cases a check)
	DIFFTEST_EXAMPLES=$${DIFFTEST_EXAMPLES:-200} $(BIN)/pytest test $(PYTEST_ARGS)

difftest: setup ## kruise-py against OpenKruise v1.9.0's Go code on generated templates and pods (DIFFTEST_EXAMPLES=1000 a check; needs Go)
	DIFFTEST_EXAMPLES=$${DIFFTEST_EXAMPLES:-1000} $(BIN)/pytest test/difftest $(PYTEST_ARGS)

fuzz: setup ## schema-drawn, broken admission and conversion reviews against the webhook server (FUZZ_EXAMPLES=10000 a property, FUZZ_SEED)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-10000} $(BIN)/pytest test/fuzz $(PYTEST_ARGS) -s

run: setup ## a local cluster, kruise-manager and the sample CloneSet and StatefulSet; Ctrl-C stops it (RUN_ARGS=--nodes 5)
	$(BIN)/python hack/run_local.py $(RUN_ARGS)

cluster: setup ## a local cluster in the foreground; Ctrl-C stops it
	$(BIN)/python -m kruise.runtime.envtest up --cluster

bench: setup ## benchmarks side by side with Go peers, 3 runs each (hours) -> bench/results/latest.json + goals table (BENCH_ARGS=--quick)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# `make conformance`: OpenKruise v1.9.0's own e2e specs (CloneSet, Advanced StatefulSet,
# BroadcastJob, AdvancedCronJob) against kruise-py on a local cluster; the suite is built by
# hack/build-openkruise.sh on first use. docs/conformance.md.
CONFORMANCE_ARGS ?=

conformance: setup ## OpenKruise v1.9.0's e2e specs against kruise-py (CONFORMANCE_ARGS=--manager openkruise)
	$(BIN)/python test/conformance/run.py $(CONFORMANCE_ARGS)

conformance-short: setup ## the CI subset of `make conformance`: a few CloneSet and BroadcastJob specs, minutes
	$(BIN)/python test/conformance/run.py --short $(CONFORMANCE_ARGS)

# `make lock` / `make audit`: the runtime dependencies pinned with hashes in
# requirements/runtime.lock (the image installs exactly those files), and that lock checked
# against published vulnerabilities. Both use pinned pip-tools and pip-audit in a virtualenv
# of their own under the cache dir (hack/tools-venv.sh).
.PHONY: lock audit

lock: ## pin the runtime dependencies with hashes -> requirements/runtime.lock (LOCK_UPGRADE=1: newest)
	hack/lock.sh

audit: ## pip-audit the lock; fails on a vulnerability with a fix, one line if no service answers
	source hack/tools-venv.sh && python3 hack/audit.py --pip-audit "$$TOOLS/bin/pip-audit" requirements/runtime.lock

# `make chaos`: workloads driven through API faults (the fault proxy), kube-apiserver and
# etcd restarts and leader kills while an outside checker watches; figures to
# test/chaos/results/. CHAOS_SEED replays a run. docs/testing.md.
CHAOS_SEED ?=
CHAOS_ARGS ?=
STORM_ARGS ?=
.PHONY: chaos chaos-short chaos-storm

chaos: setup ## the long chaos run (~25 min): >=1,000 faults, leader kills (CHAOS_SEED=N replays)
	$(BIN)/python test/chaos/run.py --form long $(if $(CHAOS_SEED),--seed $(CHAOS_SEED)) $(CHAOS_ARGS)

chaos-short: setup ## the CI form of `make chaos`: two rounds, a few minutes, figures printed
	$(BIN)/python test/chaos/run.py --form short $(if $(CHAOS_SEED),--seed $(CHAOS_SEED)) $(CHAOS_ARGS)

chaos-storm: setup ## 10,000 pod updates a minute for 5 minutes; RSS and queue depth bounded (STORM_ARGS=--minutes 1)
	$(BIN)/python test/chaos/storm.py $(STORM_ARGS)

crds: $(BIN)/.installed ## regenerate config/crd from the apps.kruise.io types (kruise/apis/apps)
	$(BIN)/python hack/gen-crds.py

# ---- the Helm chart (charts/kruise-py, generated from config/default) ---------------------
HELM ?= $(shell hack/build-helm.sh --print-path)
# `make helm-lint` renders the chart with each of these too (one --set list a line).
HELM_LINT_VARIANTS := \
	controllers.cloneset=false,controllers.statefulset=false,controllers.broadcastjob=false,controllers.advancedcronjob=false \
	serviceMonitor.enabled=true \
	installCRDs=false \
	podDisruptionBudget.enabled=false \
	manager.replicas=0,manager.log.level=4,installation.namespace=kruise-system

.PHONY: helm chart helm-lint

helm: ## build the pinned Helm v4 from the Go module proxy into the binary cache
	hack/build-helm.sh

chart: $(BIN)/.installed ## regenerate charts/kruise-py from the kustomize render of config/ (hack/gen-chart.py)
	$(BIN)/python hack/gen-chart.py

helm-lint: helm ## helm lint and helm template of charts/kruise-py, default values and a few variants
	$(HELM) lint --strict charts/kruise-py
	$(HELM) template kruise-py charts/kruise-py >/dev/null
	for set in $(HELM_LINT_VARIANTS); do \
		echo "helm lint/template --set $$set"; \
		$(HELM) lint --strict charts/kruise-py --set "$$set" >/dev/null; \
		$(HELM) template kruise-py charts/kruise-py --set "$$set" >/dev/null; \
	done

clean: ## remove the virtualenv and caches (the binary cache outside the repo stays)
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build *.egg-info

# ---- shipping: the image and the in-cluster install (docs/operations.md) ---------------
IMG ?= kruise-py:latest
DOCKER ?= docker
# kubectl from PATH, else the pinned one `make binaries` builds (it has kustomize built in).
KUBECTL ?= $(or $(shell command -v kubectl 2>/dev/null),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kruise-py/bin/kubernetes-v1.32.10/kubectl)

# A throw-away overlay of config/default whose images: entry points kruise-py at $(IMG)
# (name:tag, name@sha256:digest, or a bare name meaning :latest; a registry port is not a
# tag), so the tree under config/ is never edited. $(1) runs with the overlay in "$$dir".
define with_image_overlay
	img='$(IMG)'; name="$$img"; field=newTag; value=latest; \
	if [[ "$$img" == *@* ]]; then name="$${img%@*}"; field=digest; value="$${img#*@}"; \
	elif [[ "$${img##*/}" == *:* ]]; then name="$${img%:*}"; value="$${img##*:}"; fi; \
	dir="$$(mktemp -d)"; trap 'rm -rf "$$dir"' EXIT; \
	printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- %s\nimages:\n- name: kruise-py\n  newName: %s\n  %s: %s\n' \
		"$$(realpath --relative-to="$$dir" config/default)" "$$name" "$$field" "$$value" > "$$dir/kustomization.yaml"; \
	$(1)
endef

.PHONY: docker-build manifests-render deploy undeploy

docker-build: ## build the kruise-manager image IMG (default kruise-py:latest)
	$(DOCKER) build -t $(IMG) .

manifests-render: ## print what `make deploy` applies (config/default with the image IMG)
	@$(call with_image_overlay,$(KUBECTL) kustomize "$$dir")

deploy: ## install or upgrade kruise-py in kube-system of the current kubectl context, image IMG
	$(call with_image_overlay,$(KUBECTL) apply -k "$$dir")

undeploy: ## remove kruise-py: deletes the CRDs and with them every CloneSet, StatefulSet, ... (!)
	$(KUBECTL) delete -k config/default --ignore-not-found
