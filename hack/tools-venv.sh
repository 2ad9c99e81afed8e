# Sourced by hack/lock.sh and hack/audit.py's make target: a virtualenv with the pinned
# dependency tools (pip-tools, pip-audit), kept in the cache dir and rebuilt when the pins
# below change. Sets TOOLS to its directory.
TOOLS_PINS=(pip-tools==7.7.0 pip-audit==2.10.1)
if [[ -z "${LOCK_PYTHON:-}" ]]; then
  # The image's Python if it runs here (a pyenv shim may exist without it), else python3.
  LOCK_PYTHON=python3
  if python3.12 -V >/dev/null 2>&1; then LOCK_PYTHON=python3.12; fi
fi
cache=${XDG_CACHE_HOME:-$HOME/.cache}/kruise-py
pyver=$("$LOCK_PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
TOOLS="$cache/tools-py$pyver"
stamp="$TOOLS/.pins"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "${TOOLS_PINS[*]}" ]]; then
  rm -rf "$TOOLS"
  "$LOCK_PYTHON" -m venv "$TOOLS"
  "$TOOLS/bin/pip" install --quiet --disable-pip-version-check "${TOOLS_PINS[@]}"
  echo "${TOOLS_PINS[*]}" > "$stamp"
fi
export TOOLS
