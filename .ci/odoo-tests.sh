#!/usr/bin/env bash
# Run Odoo tests selected by tags on a fresh database in a throwaway cluster
# and show what they printed; used by "make benchmark" and handy while
# developing:  bash .ci/odoo-tests.sh /procountor_connector:TestConnectionButtons
# KEEP_DIR=/tmp/x keeps the cluster and database between runs (then UPDATE=1
# upgrades the module instead of installing it on a new database).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
TAGS=${1:-/$MODULE}

use_odoo_src || exit 2
if ! odoo_importable; then
    odoo_missing_message
    exit 2
fi
ensure_postgresql || exit 1
case "$TAGS" in
    *benchmark*) ;;  # no tours
    *) ensure_chromium || exit 1 ;;
esac
ensure_test_db_deps || { say "Could not install the Python packages the test database needs."; exit 1; }
if [ -n "${KEEP_DIR:-}" ]; then
    WORK_DIR=$KEEP_DIR
    mkdir -p "$WORK_DIR"
    [ -f "$WORK_DIR/port" ] && PG_PORT=$(cat "$WORK_DIR/port")
else
    WORK_DIR=$(mktemp -d /tmp/procountor-odoo.XXXXXX)
    trap 'stop_pg; rm -rf "$WORK_DIR"' EXIT
fi
ADDONS_DIR="$WORK_DIR/addons"
make_addons_dir "$ADDONS_DIR"
if ! { [ -n "${KEEP_DIR:-}" ] && [ -f "$WORK_DIR/pgdata/postmaster.pid" ]; }; then
    start_pg "$WORK_DIR" || exit 1
    printf '%s\n' "$PG_PORT" >"$WORK_DIR/port"
fi
PG_OS_USER=$(pg_os_user)
PG_DIR=$WORK_DIR
PG_BINDIR=$(pg_bindir)
mapfile -t common < <(odoo_common_args)
mode=(-i "$(test_modules)")
[ -n "${UPDATE:-}" ] && mode=(-u "$MODULE")
start=$(date +%s)
"$PYTHON" -m odoo "${common[@]}" -d "${DB:-tests}" "${mode[@]}" --test-tags "$TAGS" \
    --stop-after-init --http-port="$(free_port)" --log-level=test >"$WORK_DIR/odoo.log" 2>&1
rc=$?
grep -vE ' (DEBUG|INFO) |^Running as user' "$WORK_DIR/odoo.log" | grep -vE '^\s*$' | tail -n "${LINES_SHOWN:-80}"
grep -E 'tests when loading database|PROCOUNTOR BENCHMARK' "$WORK_DIR/odoo.log" | tail -n 40
say "odoo exit code $rc after $(($(date +%s) - start)) s; full log: $WORK_DIR/odoo.log"
exit "$rc"
