# shellcheck shell=bash
# Shared helpers for scripts/* and .ci/run. Source it; don't execute it.
# Callers run under `set -euo pipefail`, so every probe that may fail is guarded.

# Absolute paths, so the helpers work whatever the caller's cwd is.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
INSTALL_STAMP="$VENV/.prescreen-install-stamp"

warn() { echo "warning: $*" >&2; }

# True if "$1" runs and is Python 3.10. A pyenv shim for a version that is
# not selected fails here, which is why we test rather than trust the name.
_is_python310() {
    [ -n "$1" ] && "$1" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1
}

# Print the path of a working Python 3.10 on stdout, or explain and fail.
# Rasa 3.6 (a later issue) refuses 3.11+, so the venv must be exactly 3.10.
find_python310() {
    local candidates=() c pyenv_root
    if [ -n "${PYTHON310:-}" ]; then
        if _is_python310 "$PYTHON310"; then
            candidates=("$PYTHON310")
        else
            warn "PYTHON310=$PYTHON310 is not a working Python 3.10; looking elsewhere"
        fi
    fi
    if c="$(command -v python3.10 2>/dev/null)"; then candidates+=("$c"); fi
    # pyenv may be installed but not on PATH (e.g. a non-login CI shell).
    pyenv_root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
    # Newest 3.10.x last in version order, so reverse it to try it first.
    while IFS= read -r c; do
        [ -n "$c" ] && candidates+=("$c")
    done < <(printf '%s\n' "$pyenv_root"/versions/3.10.*/bin/python3.10 | sort -rV)
    candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10)

    for c in "${candidates[@]}"; do
        if _is_python310 "$c"; then
            # Print the interpreter's own path, not a shim's.
            "$c" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done

    cat >&2 <<'EOF'
error: Python 3.10 is required (Rasa 3.6 does not support 3.11+), but none was found.
Get one of these ways, then re-run:
  pyenv install 3.10.13                             # any OS, with pyenv
  apt-get install python3.10 python3.10-venv        # where the distro packages 3.10
  export PYTHON310=/path/to/python3.10              # point at one you already have
EOF
    return 1
}

# Make $VENV a Python 3.10 virtualenv with the project installed (editable,
# with the dev extras). Reinstalls only when pyproject.toml has changed since
# the last successful install, so repeated runs start in about a second.
ensure_venv() {
    local py version stamp
    if ! _is_python310 "$VENV/bin/python"; then
        py="$(find_python310)" || return 1
        version="$("$py" -c 'import platform; print(platform.python_version())')" || return 1
        if [ -e "$VENV" ]; then
            echo "==> removing .venv (it is not a working Python 3.10 virtualenv)"
            rm -rf "$VENV"
        fi
        echo "==> creating virtualenv (.venv, Python $version)"
        if ! "$py" -m venv "$VENV"; then
            rm -rf "$VENV"
            echo "error: '$py -m venv' failed; on Debian/Ubuntu: apt-get install python3.10-venv" >&2
            return 1
        fi
        # An old bundled pip can't do PEP 660 editable installs well; not fatal if offline.
        "$VENV/bin/python" -m pip install --quiet --upgrade pip || warn "could not upgrade pip; continuing"
    fi

    stamp="$("$VENV/bin/python" -c 'import hashlib, sys
print("pyproject.toml sha256:", hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' \
        "$REPO_ROOT/pyproject.toml")"
    # Also check the package is really installed: someone may have pip-uninstalled it.
    if [ "$(cat "$INSTALL_STAMP" 2>/dev/null)" = "$stamp" ] &&
        "$VENV/bin/python" -c 'import importlib.metadata as m; m.version("prescreen")' 2>/dev/null; then
        echo "==> dependencies up to date"
        return 0
    fi
    echo "==> installing dependencies (a few minutes on first run: Rasa brings TensorFlow)"
    rm -f "$INSTALL_STAMP"  # written back only once the install succeeds
    (cd "$REPO_ROOT" && "$VENV/bin/python" -m pip install --quiet -e '.[dev]')
    echo "$stamp" >"$INSTALL_STAMP"
}

# Run "$@" every half second until it succeeds; give up after 10 s.
_wait_until() {
    local _
    for _ in $(seq 20); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    return 1
}

# Start PostgreSQL and Redis if they are installed but down. Today's tests
# don't need them (later issues do), so a missing tool is only a warning.
ensure_services() {
    local pg_version
    if ! command -v pg_isready >/dev/null; then
        warn "pg_isready not found; not checking PostgreSQL"
    elif pg_isready -q -h 127.0.0.1; then
        echo "==> PostgreSQL is up"
    elif ! command -v pg_ctlcluster >/dev/null || [ ! -d /etc/postgresql ]; then
        warn "PostgreSQL is down and pg_ctlcluster is not available to start it"
    else
        # shellcheck disable=SC2012  # cluster version dirs are plain numbers like 15
        pg_version="$(ls /etc/postgresql | sort -V | tail -n 1)" || true
        echo "==> starting PostgreSQL $pg_version"
        if pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start; then
            _wait_until pg_isready -q -h 127.0.0.1 || warn "PostgreSQL started but is not accepting connections"
        else
            warn "could not start PostgreSQL"
        fi
    fi

    if ! command -v redis-cli >/dev/null || ! command -v redis-server >/dev/null; then
        warn "redis-cli/redis-server not found; not checking Redis"
    elif redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
        echo "==> Redis is up"
    else
        echo "==> starting Redis"
        mkdir -p /var/lib/redis /var/log/redis || true
        # --save "" and no AOF: a throwaway cache for tests, nothing kept on disk.
        if redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
            --dir /var/lib/redis --logfile /var/log/redis/ci.log; then
            _wait_until redis-cli -h 127.0.0.1 ping || warn "Redis started but is not answering"
        else
            warn "could not start Redis"
        fi
    fi
}

MODEL="$REPO_ROOT/models/prescreen.tar.gz"
MODEL_STAMP="$REPO_ROOT/models/.prescreen-model-stamp"

# Train the Rasa model only when what it is trained from changed (config, domain, NLU data,
# rules, stories, our NLU components); a model trains in 1-3 minutes.
ensure_model() {
    local stamp
    (cd "$REPO_ROOT" && "$VENV/bin/python" -m bot.gen_domain >/dev/null)
    local inputs=() path
    for path in config.yml bot/domain bot/data nlu; do  # nlu/: our NLU components and their data
        [ -e "$REPO_ROOT/$path" ] && inputs+=("$path")
    done
    stamp="$(cd "$REPO_ROOT" && find "${inputs[@]}" -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' \) |
        LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
    if [ -f "$MODEL" ] && [ "$(cat "$MODEL_STAMP" 2>/dev/null)" = "$stamp" ]; then
        echo "==> Rasa model up to date"
        return 0
    fi
    echo "==> training the Rasa model (under a minute; only when bot data changed)"
    rm -f "$MODEL_STAMP"
    (cd "$REPO_ROOT" && "$VENV/bin/rasa" train --config config.yml --domain bot/domain --data bot/data \
        --out models --fixed-model-name prescreen --quiet)
    echo "$stamp" >"$MODEL_STAMP"
}

# Load the settings (generated local token, ports, database) into the environment.
load_settings() {
    local exports
    exports="$("$VENV/bin/python" -m settings env)" || exit 1
    eval "$exports"
    export REST_TOKEN RASA_JWT_SECRET SOCKET_JWT_SECRET CHANNEL_SECRET RASA_HOST RASA_PORT ACTION_PORT SANIC_WORKERS INBOX_HOST INBOX_PORT
}

# The browser tests drive Debian's chromium (Playwright with executable_path; no browser
# download). Install it where we can (root with apt-get, as in CI); otherwise say how.
ensure_chromium() {
    local browser="${CHROMIUM:-/usr/bin/chromium}"
    if [ -x "$browser" ]; then
        echo "==> chromium: $("$browser" --version 2>/dev/null || echo "$browser")"
        return 0
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "==> installing chromium (Debian package, for the browser tests)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ||
            warn "could not install chromium; the browser tests will fail in CI"
    else
        warn "chromium not found at $browser: apt-get install chromium (or set CHROMIUM=/path) for the browser tests"
    fi
}

WIDGET_DIR="$REPO_ROOT/widget"
WIDGET_STAMP="$WIDGET_DIR/dist/.prescreen-widget-stamp"

# Build the web chat widget (widget/dist/widget.js) from its lockfile, only when its sources
# changed. Needs Node.js 18+ and npm (the npm registry on first run).
ensure_widget() {
    local stamp inputs=() path
    if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
        echo "error: the chat widget needs Node.js 18+ and npm: apt-get install nodejs npm (or https://nodejs.org)" >&2
        return 1
    fi
    for path in package.json package-lock.json build.mjs src; do
        [ -e "$WIDGET_DIR/$path" ] && inputs+=("$path")
    done
    stamp="$(cd "$WIDGET_DIR" && find "${inputs[@]}" -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
    if [ -f "$WIDGET_DIR/dist/widget.js" ] && [ "$(cat "$WIDGET_STAMP" 2>/dev/null)" = "$stamp" ]; then
        echo "==> chat widget up to date"
        return 0
    fi
    echo "==> building the chat widget (npm ci, npm run build)"
    (cd "$WIDGET_DIR" && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)
    echo "$stamp" >"$WIDGET_STAMP"
}
