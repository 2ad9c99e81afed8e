#!/usr/bin/env bash
# Build the pinned Helm (helm.sh/helm/v4) from the Go module proxy into the per-user
# binary cache, keyed by version, the way hack/build-binaries.sh builds the control plane.
# `make helm-lint` and the chart tests use it; nothing is downloaded but Go modules.
#
# Usage: hack/build-helm.sh [--print-path]
#   KRUISE_BIN_CACHE  cache root (default: ${XDG_CACHE_HOME:-~/.cache}/kruise-py/bin)
#   HELM_VERSION      the module version (default v4.3.2)
set -euo pipefail

HELM_VERSION=${HELM_VERSION:-v4.3.2}
CACHE_ROOT=${KRUISE_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kruise-py/bin}
HELM_DIR="$CACHE_ROOT/helm-$HELM_VERSION"

if [[ "${1:-}" == "--print-path" ]]; then
  echo "$HELM_DIR/helm"
  exit 0
fi

die() { echo "build-helm: $*" >&2; exit 1; }
step() { echo "==> $(date +%H:%M:%S) $*"; }

if [[ -x "$HELM_DIR/helm" ]]; then step "helm $HELM_VERSION: cached in $HELM_DIR"; exit 0; fi

command -v go >/dev/null 2>&1 || die "Go is not installed (need go >= 1.26 on PATH to build helm $HELM_VERSION)"
go_minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
[[ "$go_minor" =~ ^[0-9]+$ && "$go_minor" -ge 26 ]] || die "Go $(go env GOVERSION) is too old: helm $HELM_VERSION needs go >= 1.26"

export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false
go list -m -json "helm.sh/helm/v4@$HELM_VERSION" >/dev/null 2>&1 \
  || die "cannot reach the Go module proxy ($(go env GOPROXY)) to fetch helm.sh/helm/v4@$HELM_VERSION"

step "helm $HELM_VERSION: building (a cold build takes a few minutes)"
# `helm version` reports the pinned version rather than the module default.
ldf="-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION"
rm -rf "$HELM_DIR.tmp" && mkdir -p "$HELM_DIR.tmp"
GOBIN="$HELM_DIR.tmp" go install -trimpath -ldflags "$ldf" "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" \
  || die "go install of helm $HELM_VERSION failed"
rm -rf "$HELM_DIR" && mv "$HELM_DIR.tmp" "$HELM_DIR"
step "helm $HELM_VERSION: ready in $HELM_DIR"
