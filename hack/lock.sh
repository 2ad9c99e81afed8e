#!/usr/bin/env bash
# `make lock`: pin kruise-py's runtime dependencies, with the sha256 of every file PyPI
# serves for each pinned version, in requirements/runtime.lock. The Dockerfile installs
# exactly these files (pip --require-hashes), and `make audit` checks them for known
# vulnerabilities. Run it after changing [project].dependencies in pyproject.toml, or to
# take newer releases (LOCK_UPGRADE=1), and commit the result.
#
# The resolution is for the image's Python (LOCK_PYTHON, default python3.12, else python3):
# pip-compile resolves environment markers for the interpreter it runs on. The tools live
# in a virtualenv of their own under the cache dir, never in the project's.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=hack/tools-venv.sh
source "$ROOT/hack/tools-venv.sh"

out=requirements/runtime.lock
args=(--quiet --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links
  --output-file "$out")
if [[ "${LOCK_UPGRADE:-}" == 1 ]]; then
  args+=(--upgrade)
fi
cd "$ROOT"
# Hashes come from the index alone: a local wheel directory must not add its own files.
env -u PIP_FIND_LINKS CUSTOM_COMPILE_COMMAND="make lock" \
  "$TOOLS/bin/pip-compile" "${args[@]}" pyproject.toml
echo "lock: wrote $out ($(grep -c '^[a-z0-9]' "$out") packages, for $("$TOOLS/bin/python" -V))"
