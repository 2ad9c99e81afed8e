#!/usr/bin/env bash
# Build the pinned control-plane binaries (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, etcd, kwok) from the Go module proxy into a per-user cache
# keyed by version. Nothing is downloaded except Go modules; nothing lands in the repo.
#
# Usage: hack/build-binaries.sh [--print-dir]
#   KRUISE_BIN_CACHE  cache root (default: ${XDG_CACHE_HOME:-~/.cache}/kruise-py/bin)
set -euo pipefail

KUBE_VERSION=${KUBE_VERSION:-v1.32.10}
ETCD_VERSION=${ETCD_VERSION:-v3.5.24}
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}

CACHE_ROOT=${KRUISE_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kruise-py/bin}
KUBE_DIR="$CACHE_ROOT/kubernetes-$KUBE_VERSION"
ETCD_DIR="$CACHE_ROOT/etcd-$ETCD_VERSION"
KWOK_DIR="$CACHE_ROOT/kwok-$KWOK_VERSION"

if [[ "${1:-}" == "--print-dir" ]]; then
  printf 'KUBE_DIR=%s\nETCD_DIR=%s\nKWOK_DIR=%s\n' "$KUBE_DIR" "$ETCD_DIR" "$KWOK_DIR"
  exit 0
fi

die() { echo "build-binaries: $*" >&2; exit 1; }
step() { echo "==> $(date +%H:%M:%S) $*"; }

command -v go >/dev/null 2>&1 || die "Go is not installed (need go >= 1.26 on PATH to build the control plane)"
go_minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
[[ "$go_minor" =~ ^[0-9]+$ && "$go_minor" -ge 26 ]] || die "Go $(go env GOVERSION) is too old: kwok $KWOK_VERSION needs go >= 1.26"

export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false

check_proxy() {
  if ! go list -m -json "k8s.io/kubernetes@$KUBE_VERSION" >/dev/null 2>&1; then
    die "cannot reach the Go module proxy ($(go env GOPROXY)) to fetch k8s.io/kubernetes@$KUBE_VERSION"
  fi
}

# build_wrapper DIR MODULE_BLOCK TARGETS... : a throwaway main module in a temp dir.
work=$(mktemp -d "${TMPDIR:-/tmp}/kruise-bins.XXXXXX")
trap 'rm -rf "$work"' EXIT

# pick_staging_version MODULE VERSION: print a replace line for the staging module at
# VERSION, or at the nearest patch release of the same minor when the proxy does not
# serve VERSION itself (it lacks a few of the v0.32.10 staging zips). Notes go to stderr.
pick_staging_version() {
  local module=$1 want=$2 base patch candidate delta
  base=${want%.*}
  patch=${want##*.}
  for delta in 0 1 -1 2 -2 3 -3; do
    (( patch + delta >= 0 )) || continue
    candidate="$base.$((patch + delta))"
    if go mod download "$module@$candidate" >/dev/null 2>&1; then
      [[ $delta == 0 ]] || echo "note: $module $want is not served by the module proxy; using $candidate" >&2
      printf '\t%s => %s %s\n' "$module" "$module" "$candidate"
      return
    fi
  done
  echo "note: no $module near $want is served; leaving it unpinned (fine unless a binary needs it)" >&2
}

build_kube() {
  local want=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
  local missing=0
  for b in "${want[@]}"; do [[ -x "$KUBE_DIR/$b" ]] || missing=1; done
  if [[ $missing == 0 ]]; then step "kubernetes $KUBE_VERSION: cached in $KUBE_DIR"; return; fi
  check_proxy
  step "kubernetes $KUBE_VERSION: resolving modules"
  local v=${KUBE_VERSION#v} minor staging
  minor=$(echo "$v" | cut -d. -f2)
  staging="v0.${v#1.}"
  local d="$work/kube"; mkdir -p "$d"
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | python3 -c 'import json,sys;print(json.load(sys.stdin)["GoMod"])')
  {
    echo "module local.kruise-py/kubebins"
    echo
    echo "go 1.24.0"
    echo
    echo "godebug default=go1.23"
    echo
    echo "tool ("
    for b in "${want[@]}"; do echo "	k8s.io/kubernetes/cmd/$b"; done
    echo ")"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    echo "replace ("
    local module
    for module in $(grep -oE 'k8s.io/[a-z0-9-]+ => ./staging' "$gomod" | awk '{print $1}' | sort -u); do
      pick_staging_version "$module" "$staging"
    done
    echo ")"
  } >"$d/go.mod"
  (cd "$d" && go mod tidy) || die "go mod tidy failed for kubernetes $KUBE_VERSION"
  local ldf="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldf+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
    ldf+=" -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  mkdir -p "$KUBE_DIR.tmp"
  for b in "${want[@]}"; do
    step "kubernetes $KUBE_VERSION: building $b (a cold build takes several minutes)"
    (cd "$d" && go build -trimpath -tags selinux,notest -ldflags "$ldf" -o "$KUBE_DIR.tmp/$b" "k8s.io/kubernetes/cmd/$b") \
      || die "go build of $b $KUBE_VERSION failed"
  done
  rm -rf "$KUBE_DIR" && mv "$KUBE_DIR.tmp" "$KUBE_DIR"
}

build_etcd() {
  if [[ -x "$ETCD_DIR/etcd" ]]; then step "etcd $ETCD_VERSION: cached in $ETCD_DIR"; return; fi
  check_proxy
  step "etcd $ETCD_VERSION: building"
  local d="$work/etcd"; mkdir -p "$d"
  printf 'module local.kruise-py/etcdbin\n\ngo 1.24.0\n\ntool go.etcd.io/etcd/server/v3\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$d/go.mod"
  (cd "$d" && go mod tidy) || die "go mod tidy failed for etcd $ETCD_VERSION"
  mkdir -p "$ETCD_DIR.tmp"
  (cd "$d" && go build -trimpath -ldflags "-s -w" -o "$ETCD_DIR.tmp/etcd" go.etcd.io/etcd/server/v3) \
    || die "go build of etcd $ETCD_VERSION failed"
  rm -rf "$ETCD_DIR" && mv "$ETCD_DIR.tmp" "$ETCD_DIR"
}

build_kwok() {
  if [[ -x "$KWOK_DIR/kwok" ]]; then step "kwok $KWOK_VERSION: cached in $KWOK_DIR"; return; fi
  check_proxy
  step "kwok $KWOK_VERSION: building"
  mkdir -p "$KWOK_DIR.tmp"
  GOBIN="$KWOK_DIR.tmp" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" \
    || die "go install of kwok $KWOK_VERSION failed"
  rm -rf "$KWOK_DIR" && mv "$KWOK_DIR.tmp" "$KWOK_DIR"
}

mkdir -p "$CACHE_ROOT"
start=$(date +%s)
build_etcd
build_kwok
build_kube
step "all binaries ready in $CACHE_ROOT ($(( $(date +%s) - start ))s)"
