#!/usr/bin/env bash
# `E2E_CLUSTER=kind make e2e`: the e2e suite against kruise-py installed in a kind cluster
# the way an operator installs it (config/default through `make deploy`).
#
#   1. create kind cluster $KIND_CLUSTER, or reuse it when a cluster of that name exists
#   2. docker build -t $IMG . and kind load docker-image $IMG into the cluster's nodes
#   3. make deploy IMG=$IMG (config/default with the image set, into kube-system), then
#      wait for deployment/kruise-controller-manager to roll out and for the certificate
#      controller to inject the webhook caBundles
#   4. pytest test/e2e/kruise with E2E_KUBECONFIG (and KUBECONFIG) naming the cluster and
#      E2E_IMAGE the image
#
# When a step fails it prints the manager's pods, logs and the cluster's recent events. A
# cluster this script created is deleted at the end (E2E_KEEP_CLUSTER=1 keeps it); a cluster
# it reused is never deleted. Your kubeconfig is neither read nor changed: the cluster's
# credentials live in a temporary directory for the length of the run.
#
# Usage: hack/e2e-kind.sh [PYTEST-ARGS...]
# Environment, all optional:
#   KIND_CLUSTER          cluster name (default kruise-py-e2e); an existing one is reused, kept
#   IMG                   image to build and load (default kruise-py:e2e)
#   E2E_KEEP_CLUSTER      1: keep a cluster this script created
#   E2E_TESTS             what pytest runs (default test/e2e/kruise: the suite that
#                         targets an existing cluster; the rest start local clusters)
#   E2E_ROLLOUT_TIMEOUT   how long the Deployment may take to roll out (default 300s)
#   E2E_CABUNDLE_TIMEOUT  seconds to wait for the webhook caBundles after it (default 120)
#   KIND_NODE_IMAGE       node image for a new cluster (kind create cluster --image)
#   KIND_CONFIG           kind config file for a new cluster (kind create cluster --config)
#   KIND, DOCKER, KUBECTL, MAKE, PYTEST
#                         the tools (default kind, docker, kubectl, make, .venv/bin/pytest)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

CLUSTER=${KIND_CLUSTER:-kruise-py-e2e}
IMG=${IMG:-kruise-py:e2e}
KEEP=${E2E_KEEP_CLUSTER:-0}
ROLLOUT_TIMEOUT=${E2E_ROLLOUT_TIMEOUT:-300s}
KIND=${KIND:-kind}
DOCKER=${DOCKER:-docker}
KUBECTL=${KUBECTL:-kubectl}
MAKE=${MAKE:-make}
PYTEST=${PYTEST:-$ROOT/.venv/bin/pytest}
read -r -a TESTS <<<"${E2E_TESTS:-test/e2e/kruise}"

# What config/default installs (config/manager/manager.yaml, config/webhook).
NAMESPACE=kube-system
DEPLOYMENT=kruise-controller-manager
MANAGER_LABELS=control-plane=controller-manager,app.kubernetes.io/name=kruise-py
WEBHOOK_CONFIGURATIONS=(
  mutatingwebhookconfiguration/kruise-mutating-webhook-configuration
  validatingwebhookconfiguration/kruise-validating-webhook-configuration
)
CONVERSION_CRD=customresourcedefinition/statefulsets.apps.kruise.io
# Seconds, after the rollout (by then a Ready replica has injected them already).
CA_BUNDLE_TIMEOUT=${E2E_CABUNDLE_TIMEOUT:-120}

die() {
  printf 'e2e-kind: %s\n' "$*" >&2
  exit 1
}
step() { printf '==> %s %s\n' "$(date +%H:%M:%S)" "$*"; }
need() { # need COMMAND HINT
  command -v "$1" >/dev/null 2>&1 || die "$1 not found: $2"
}

# ---- tools, before anything is created -------------------------------------------------
need "$KIND" "install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) or set KIND"
need "$DOCKER" "install Docker (kind runs its nodes in containers) or set DOCKER"
need "$KUBECTL" "install kubectl >= 1.24, run 'make binaries' for the pinned one, or set KUBECTL"
need "$MAKE" "install GNU make or set MAKE"
[[ -x "$PYTEST" ]] || die "pytest not found at $PYTEST: run 'make setup' first, or set PYTEST"
"$DOCKER" info >/dev/null 2>&1 ||
  die "cannot reach the Docker daemon ('$DOCKER info' failed): start it, or check DOCKER_HOST and your permissions"
[[ "$IMG" != *@* ]] || die "IMG=$IMG: an image named by digest cannot be built and loaded; use name:tag"
[[ "$KEEP" == 0 || "$KEEP" == 1 ]] || die "E2E_KEEP_CLUSTER must be 0 or 1, not '$KEEP'"

workdir=$(mktemp -d "${TMPDIR:-/tmp}/kruise-e2e-kind.XXXXXX")
kubeconfig=$workdir/kubeconfig # E2E_KUBECONFIG: what `kind get kubeconfig` prints
created=0                      # 1 once this script starts creating the cluster
reused=0                       # 1 when the cluster was there before
deployed=0                     # 1 once kruise-py is being deployed: failures dump its state

k() { "$KUBECTL" --kubeconfig "$kubeconfig" "$@"; }

dump() {
  printf '\n---- e2e-kind: kruise-py in kind cluster %s, for the failure above ----\n' "$CLUSTER" >&2
  k -n "$NAMESPACE" get deployment,pods -l "$MANAGER_LABELS" -o wide >&2 || true
  printf -- '---- kubectl -n %s logs -l %s --tail=200\n' "$NAMESPACE" "$MANAGER_LABELS" >&2
  k -n "$NAMESPACE" logs -l "$MANAGER_LABELS" --all-containers --prefix --tail=200 >&2 || true
  # Only pods whose container restarted have a previous log; the others are skipped.
  k -n "$NAMESPACE" logs -l "$MANAGER_LABELS" --all-containers --prefix --tail=50 --previous \
    >&2 2>/dev/null || true
  printf -- '---- events, newest last\n' >&2
  k get events --all-namespaces --sort-by=.metadata.creationTimestamp 2>&1 | tail -n 100 >&2 || true
}

finish() {
  local rc=$?
  trap - INT TERM # a second Ctrl-C stops the clean-up itself
  if ((rc != 0 && deployed)); then
    dump
  fi
  if ((created)) && [[ "$KEEP" == 1 ]]; then
    echo "e2e-kind: kept kind cluster $CLUSTER (E2E_KEEP_CLUSTER=1)."
    echo "e2e-kind:   use it:    $KIND export kubeconfig --name $CLUSTER"
    echo "e2e-kind:   remove it: $KIND delete cluster --name $CLUSTER"
  elif ((created)); then
    step "deleting kind cluster $CLUSTER (this script created it)"
    "$KIND" delete cluster --name "$CLUSTER" --kubeconfig "$workdir/kind-kubeconfig" ||
      echo "e2e-kind: could not delete kind cluster $CLUSTER; remove it with: $KIND delete cluster --name $CLUSTER" >&2
  elif ((reused)); then
    echo "e2e-kind: kind cluster $CLUSTER existed before this run; it is left as it is."
  fi
  rm -rf "$workdir"
  if ((rc == 0)); then
    echo "e2e-kind: passed"
  else
    echo "e2e-kind: failed (exit $rc)" >&2
  fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the cluster -------------------------------------------------------------------------
clusters=$("$KIND" get clusters 2>/dev/null) || die "'$KIND get clusters' failed; is the Docker daemon running?"
if grep -qxF -- "$CLUSTER" <<<"$clusters"; then
  step "reusing kind cluster $CLUSTER (it will not be deleted)"
  reused=1
else
  step "creating kind cluster $CLUSTER"
  created=1 # before the call: an interrupted create still leaves containers to delete
  options=()
  if [[ -n "${KIND_NODE_IMAGE:-}" ]]; then
    options+=(--image "$KIND_NODE_IMAGE")
  fi
  if [[ -n "${KIND_CONFIG:-}" ]]; then
    options+=(--config "$KIND_CONFIG")
  fi
  # --kubeconfig: kind would otherwise add the cluster to your kubeconfig and switch to it.
  "$KIND" create cluster --name "$CLUSTER" --kubeconfig "$workdir/kind-kubeconfig" --wait 120s \
    ${options[@]+"${options[@]}"}
fi
"$KIND" get kubeconfig --name "$CLUSTER" >"$kubeconfig"
k version >/dev/null || die "kind cluster $CLUSTER does not answer through its kubeconfig"

# ---- the image ---------------------------------------------------------------------------
step "building image $IMG"
"$DOCKER" build -t "$IMG" .
step "loading image $IMG into kind cluster $CLUSTER"
"$KIND" load docker-image "$IMG" --name "$CLUSTER"

# ---- kruise-py ---------------------------------------------------------------------------
existed=0
if k -n "$NAMESPACE" get deployment "$DEPLOYMENT" >/dev/null 2>&1; then
  existed=1
fi
step "deploying config/default with image $IMG (make deploy)"
deployed=1
# MAKEFLAGS cleared: variables given to an outer `make e2e` (KUBECONFIG=... among them)
# must not override the ones set here.
env -u MAKEFLAGS -u MFLAGS KUBECONFIG="$kubeconfig" \
  "$MAKE" --no-print-directory deploy IMG="$IMG" KUBECTL="$KUBECTL" KUBECONFIG="$kubeconfig"
if ((existed)); then
  # Same image name as the running pods, new content: only a restart picks it up
  # (imagePullPolicy IfNotPresent uses what kind loaded into the nodes).
  step "restarting deployment/$DEPLOYMENT to run the image just loaded"
  k -n "$NAMESPACE" rollout restart "deployment/$DEPLOYMENT"
fi
k wait --for=condition=Established --timeout=60s customresourcedefinition \
  -l app.kubernetes.io/part-of=kruise-py
step "waiting for deployment/$DEPLOYMENT to roll out (up to $ROLLOUT_TIMEOUT)"
k -n "$NAMESPACE" rollout status "deployment/$DEPLOYMENT" --timeout="$ROLLOUT_TIMEOUT"

# Every webhook of both configurations, and the StatefulSet CRD's conversion webhook.
ca_bundles_injected() {
  local config bundles
  for config in "${WEBHOOK_CONFIGURATIONS[@]}"; do
    # One "name:caBundle" line per webhook (base64 has no ':', and may end in '=').
    bundles=$(k get "$config" -o jsonpath='{range .webhooks[*]}{.name}:{.clientConfig.caBundle}{"\n"}{end}') ||
      return 1
    if [[ -z "$bundles" ]] || grep -q ':$' <<<"$bundles"; then
      return 1
    fi
  done
  bundles=$(k get "$CONVERSION_CRD" -o jsonpath='{.spec.conversion.webhook.clientConfig.caBundle}') ||
    return 1
  [[ -n "$bundles" ]]
}
step "waiting for the webhook caBundles"
deadline=$((SECONDS + CA_BUNDLE_TIMEOUT))
until ca_bundles_injected 2>/dev/null; do
  ((SECONDS < deadline)) ||
    die "no caBundle in the webhook configurations or $CONVERSION_CRD after ${CA_BUNDLE_TIMEOUT}s"
  sleep 2
done

# ---- the suite ---------------------------------------------------------------------------
step "running pytest ${TESTS[*]}${*:+ $*} against kind cluster $CLUSTER"
E2E_KUBECONFIG="$kubeconfig" E2E_IMAGE="$IMG" KUBECONFIG="$kubeconfig" \
  "$PYTEST" "${TESTS[@]}" "$@"
