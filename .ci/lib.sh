# Shared shell helpers for the test and demo commands (sourced, not run).
# Everything listens on 127.0.0.1 only.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
MODULE=procountor_connector
# Odoo addons every test database installs besides the module, without the
# module depending on them: the suite's main company is a Finnish company on
# Odoo's Finnish chart (l10n_fi), as a real Procountor customer's would be.
TEST_EXTRA_MODULES=l10n_fi

say() { printf '%s\n' "$*"; }

# Make an Odoo 18.0 source tree named by ODOO_SRC importable, when given.
use_odoo_src() {
    if [ -n "${ODOO_SRC:-}" ]; then
        if [ ! -f "$ODOO_SRC/odoo/__init__.py" ]; then
            say "ODOO_SRC=$ODOO_SRC does not look like an Odoo source tree (no odoo/__init__.py)."
            return 1
        fi
        export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"
    fi
    return 0
}

odoo_importable() {
    "$PYTHON" -c 'import odoo.release as r, sys; sys.exit(0 if r.version_info[0] == 18 else 1)' \
        >/dev/null 2>&1
}

odoo_missing_message() {
    cat <<TXT
Odoo 18.0 is not importable by $PYTHON.
Provide an Odoo 18.0 installation or source tree, either:
  - install it so that '$PYTHON -c "import odoo"' works (e.g. 'pip install -e <odoo-18.0-tree>'
    after installing its requirements.txt), or
  - name the source tree: ODOO_SRC=/path/to/odoo-18.0 make ...
TXT
}

# Folder of Odoo's own addons (nightly layout: odoo/addons; git layout: ../addons).
odoo_addons_paths() {
    "$PYTHON" - <<'PY'
import os, odoo
pkg = os.path.dirname(odoo.__file__)
paths = [os.path.join(pkg, "addons")]
git_layout = os.path.join(os.path.dirname(pkg), "addons")
if os.path.isfile(os.path.join(git_layout, "account", "__manifest__.py")):
    paths.append(git_layout)
print(",".join(p for p in paths if os.path.isdir(p)))
PY
}

# The modules to install on a test database, comma-separated.
test_modules() {
    printf '%s\n' "$MODULE${TEST_EXTRA_MODULES:+,$TEST_EXTRA_MODULES}"
}

# Python packages the test databases need beyond Odoo's own requirements: a
# Finnish company makes Odoo install account_peppol, which imports phonenumbers.
ensure_test_db_deps() {
    if ! "$PYTHON" -c 'import phonenumbers' >/dev/null 2>&1; then
        say "Installing phonenumbers (needed by account_peppol, which Odoo installs for a Finnish company)."
        "$PYTHON" -m pip install -q phonenumbers || return 1
    fi
}

free_port() {
    "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ]; then
            printf '%s\n' "$dir"
            return 0
        fi
    done
    return 1
}

ensure_postgresql() {
    if pg_bindir >/dev/null; then
        return 0
    fi
    say "PostgreSQL server not found; installing it with apt-get."
    if [ "$(id -u)" -ne 0 ]; then
        say "Not root: install the 'postgresql' package yourself."
        return 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg_bindir >/dev/null
}

# The browser Odoo's tours (HttpCase.start_tour) run in: Odoo looks for
# google-chrome, chromium, chromium-browser or google-chrome-stable on PATH.
odoo_browser() {
    "$PYTHON" -c 'from odoo.tests.common import _find_executable; print(_find_executable())' 2>/dev/null
}

ensure_chromium() {
    if odoo_browser >/dev/null; then
        return 0
    fi
    say "Chromium not found (the Odoo tours need it); installing it with apt-get."
    if [ "$(id -u)" -ne 0 ]; then
        say "Not root: install the 'chromium' package yourself."
        return 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    odoo_browser >/dev/null || {
        say "Chromium is installed but Odoo does not find it on PATH ($PATH)."
        return 1
    }
}

# PostgreSQL refuses to run as root: the throwaway cluster belongs to an
# unprivileged system user.
pg_os_user() {
    if [ "$(id -u)" -ne 0 ]; then
        id -un
        return
    fi
    if id postgres >/dev/null 2>&1; then
        printf 'postgres\n'
        return
    fi
    if ! id procountor-pg >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin procountor-pg
    fi
    printf 'procountor-pg\n'
}

as_pg_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$PG_OS_USER" -- "$@"
    else
        "$@"
    fi
}

# start_pg DIR: a new cluster in DIR/pgdata on 127.0.0.1:$PG_PORT, database
# user "odoo" (superuser, trust auth on loopback only).
start_pg() {
    local dir=$1 bindir
    bindir=$(pg_bindir) || return 1
    PG_OS_USER=$(pg_os_user)
    PG_DIR=$dir
    PG_PORT=${PG_PORT:-$(free_port)}
    PG_BINDIR=$bindir
    mkdir -p "$dir/pgdata" "$dir/pgsock"
    chmod 755 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown "$PG_OS_USER" "$dir/pgdata" "$dir/pgsock"
    fi
    if [ ! -f "$dir/pgdata/PG_VERSION" ]; then
        as_pg_user "$bindir/initdb" -D "$dir/pgdata" -U odoo -A trust -E UTF8 \
            --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
            cat "$dir/initdb.log"
            return 1
        }
    fi
    as_pg_user "$bindir/pg_ctl" -D "$dir/pgdata" -l "$dir/pgdata/server.log" -w -s \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $dir/pgsock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start || {
        cat "$dir/pgdata/server.log"
        return 1
    }
}

stop_pg() {
    if [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/pgdata/postmaster.pid" ]; then
        as_pg_user "$PG_BINDIR/pg_ctl" -D "$PG_DIR/pgdata" -m fast -w -s stop || true
    fi
}

# An addons folder holding this repository under the module's name, whatever
# the clone's own folder is called.
make_addons_dir() {
    local dir=$1
    mkdir -p "$dir"
    ln -sfn "$ROOT" "$dir/$MODULE"
}

odoo_common_args() {
    printf '%s\n' \
        "--db_host=127.0.0.1" "--db_port=$PG_PORT" "--db_user=odoo" "--db_password=odoo" \
        "--addons-path=$ADDONS_DIR,$(odoo_addons_paths)" \
        "--data-dir=$WORK_DIR/filestore" \
        "--http-interface=127.0.0.1" \
        "--max-cron-threads=0" \
        "--no-database-list"
}
