#!/usr/bin/env bash
# The project's test command (README: "make test"): pure tests, static
# checks, and the Odoo suite on a throwaway PostgreSQL cluster.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

FAILED_PARTS=()
PURE_PASSED=0 PURE_FAILED=0 ODOO_PASSED=0 ODOO_FAILED=0

ensure_dev_deps() {
    if ! "$PYTHON" -c 'import pytest, werkzeug, requests, dateutil' >/dev/null 2>&1; then
        say "Installing test dependencies (pytest, werkzeug, requests, python-dateutil)."
        "$PYTHON" -m pip install -q pytest werkzeug requests python-dateutil || return 1
    fi
    # Odoo drives the browser of its tours over the DevTools websocket.
    if ! "$PYTHON" -c 'import websocket' >/dev/null 2>&1; then
        say "Installing websocket-client (Odoo's tours use it to drive Chromium)."
        "$PYTHON" -m pip install -q websocket-client || return 1
    fi
    ensure_test_db_deps || return 1
    if ! "$PYTHON" -c 'import pylint_odoo' >/dev/null 2>&1; then
        say "Installing pylint-odoo."
        "$PYTHON" -m pip install -q pylint-odoo || return 1
    fi
    if ! command -v ruff >/dev/null 2>&1 && ! "$PYTHON" -m ruff --version >/dev/null 2>&1; then
        say "Installing ruff."
        "$PYTHON" -m pip install -q ruff || return 1
    fi
}

# ruff as installed: on PATH, else the Python's own module.
ruff_cmd() {
    if command -v ruff >/dev/null 2>&1; then
        ruff "$@"
    else
        "$PYTHON" -m ruff "$@"
    fi
}

# Copy the files git tracks (or would track), as they are in the working tree,
# into $1/$MODULE: pylint-odoo looks for the manifest only below the git top,
# so some of OCA's checks (consider-merging-classes-inherited) never fire on
# the repository itself.
export_tree() {
    mkdir -p "$1/$MODULE" || return 1
    git ls-files -z --cached --others --exclude-standard \
        | "$PYTHON" -c '
import os, shutil, sys
target = sys.argv[1]
for name in sys.stdin.buffer.read().decode().split("\0"):
    if name and os.path.isfile(name):  # a tracked file deleted since is skipped
        os.makedirs(os.path.join(target, os.path.dirname(name)), exist_ok=True)
        shutil.copy2(name, os.path.join(target, name))
' "$1/$MODULE"
}

run_pure() {
    say "== Pure tests (no Odoo): python -m pytest tests_pure"
    local out rc
    out=$("$PYTHON" -m pytest tests_pure -q -p no:cacheprovider 2>&1)
    rc=$?
    printf '%s\n' "$out" | tail -n 30
    PURE_PASSED=$(printf '%s\n' "$out" | grep -oE '[0-9]+ passed' | tail -1 | grep -oE '[0-9]+' || true)
    PURE_FAILED=$(printf '%s\n' "$out" | grep -oE '[0-9]+ (failed|error)' | awk '{s+=$1} END {print s+0}')
    PURE_PASSED=${PURE_PASSED:-0}
    if [ "$rc" -ne 0 ] || [ "$PURE_PASSED" -eq 0 ]; then
        FAILED_PARTS+=("pure tests")
    fi
    say "PURE TESTS: $PURE_PASSED passed, $PURE_FAILED failed"
}

run_static() {
    say "== Static checks: XML well-formedness, pylint-odoo, ruff, OCA's mandatory pylint-odoo set"
    local rc=0
    "$PYTHON" - <<'PY' || rc=1
import pathlib, sys
try:  # lxml (what Odoo parses with) is stricter, e.g. about "--" in comments
    from lxml import etree as ElementTree
    ParseError = ElementTree.XMLSyntaxError
except ImportError:
    from xml.etree import ElementTree
    ParseError = ElementTree.ParseError
bad = 0
files = [p for p in pathlib.Path(".").rglob("*.xml") if ".git" not in p.parts]
for path in files:
    try:
        ElementTree.parse(str(path))
    except ParseError as exc:
        bad += 1
        print(f"{path}: {exc}")
print(f"XML: {len(files)} files, {bad} not well-formed")
sys.exit(1 if bad else 0)
PY
    local targets
    targets=$(ls -d __init__.py __manifest__.py models wizards procountor_api procountor_simulator tests hooks.py 2>/dev/null)
    # shellcheck disable=SC2086
    if "$PYTHON" -m pylint --rcfile=.pylintrc $targets; then
        say "pylint-odoo (.pylintrc): no messages"
    else
        say "pylint-odoo (.pylintrc): FAILED, messages above"
        rc=1
    fi
    if ruff_cmd check --no-cache --quiet --output-format concise .; then
        say "ruff check (.ruff.toml): no messages"
    else
        say "ruff check (.ruff.toml): FAILED, messages above"
        rc=1
    fi
    if ruff_cmd format --no-cache --check --quiet --output-format concise .; then
        say "ruff format --check: every file formatted"
    else
        say "ruff format --check: FAILED, the files above need 'ruff format'"
        rc=1
    fi
    local copy
    copy=$(mktemp -d /tmp/procountor-pylint.XXXXXX)
    if ! export_tree "$copy"; then
        say "pylint-odoo (.pylintrc-mandatory, OCA): FAILED, could not copy the tree"
        rc=1
    elif (cd "$copy" && "$PYTHON" -m pylint --rcfile="$MODULE/.pylintrc-mandatory" "$MODULE"); then
        say "pylint-odoo (.pylintrc-mandatory, OCA): no messages"
    else
        say "pylint-odoo (.pylintrc-mandatory, OCA): FAILED, messages above"
        rc=1
    fi
    rm -rf "$copy"
    if [ "$rc" -ne 0 ]; then
        FAILED_PARTS+=("static checks")
        say "STATIC CHECKS: FAILED"
    else
        say "STATIC CHECKS: passed"
    fi
}

# Lines of an Odoo log that are warnings or errors, less the one Odoo prints
# for every command started as root (not about this addon).
log_problems() {
    grep -E ' (WARNING|ERROR|CRITICAL) ' "$1" | grep -v "Running as user 'root'" || true
}

run_odoo() {
    if ! odoo_importable; then
        say "######################################################################"
        say "ODOO SUITE: NOT RUN - Odoo 18.0 is not importable by $PYTHON"
        say "######################################################################"
        odoo_missing_message
        return
    fi
    ensure_postgresql || { FAILED_PARTS+=("postgresql"); return; }
    ensure_chromium || { FAILED_PARTS+=("chromium"); return; }
    WORK_DIR=$(mktemp -d /tmp/procountor-test.XXXXXX)
    ADDONS_DIR="$WORK_DIR/addons"
    make_addons_dir "$ADDONS_DIR"
    trap 'stop_pg; rm -rf "$WORK_DIR"' EXIT
    start_pg "$WORK_DIR" || { FAILED_PARTS+=("postgresql"); return; }
    mapfile -t common < <(odoo_common_args)

    say "== Install check: fresh database without demo data"
    local start end problems
    start=$(date +%s)
    "$PYTHON" -m odoo "${common[@]}" -d nodemo --without-demo=all \
        -i "$(test_modules)" --stop-after-init --http-port="$(free_port)" \
        --log-level=info >"$WORK_DIR/install-nodemo.log" 2>&1
    local rc=$?
    end=$(date +%s)
    problems=$(log_problems "$WORK_DIR/install-nodemo.log")
    if [ "$rc" -ne 0 ] || [ -n "$problems" ] || ! grep -q "Modules loaded" "$WORK_DIR/install-nodemo.log"; then
        printf '%s\n' "$problems"
        tail -n 40 "$WORK_DIR/install-nodemo.log"
        FAILED_PARTS+=("install without demo")
        say "INSTALL WITHOUT DEMO: FAILED"
    else
        say "INSTALL WITHOUT DEMO: clean ($((end - start)) s, no warning or error)"
    fi

    say "== Odoo suite: fresh database with demo data, --test-tags /$MODULE"
    start=$(date +%s)
    "$PYTHON" -m odoo "${common[@]}" -d suite -i "$(test_modules)" \
        --test-tags "/$MODULE" --stop-after-init --http-port="$(free_port)" \
        --log-level=test >"$WORK_DIR/suite.log" 2>&1
    rc=$?
    end=$(date +%s)
    local summary total errors
    summary=$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$WORK_DIR/suite.log" | tail -1)
    grep -E ' (ERROR|CRITICAL|FAIL)' "$WORK_DIR/suite.log" | grep -v "Running as user 'root'" | head -n 60
    if [ -n "$summary" ]; then
        ODOO_FAILED=$(printf '%s' "$summary" | awk '{print $1 + $3}')
        total=$(printf '%s' "$summary" | awk '{print $6}')
        ODOO_PASSED=$((total - ODOO_FAILED))
    fi
    errors=$(grep -cE ' (ERROR|CRITICAL) ' "$WORK_DIR/suite.log" || true)
    # A skipped test class or test (a tour without a browser) proves
    # nothing: treat it as a failure.
    if grep -E "skipped setUpClass \(odoo\.addons\.$MODULE|odoo\.addons\.$MODULE\.tests\.[a-z0-9_]+: skipped " "$WORK_DIR/suite.log"; then
        errors=$((errors + 1))
    fi
    if [ "$rc" -ne 0 ] || [ -z "$summary" ] || [ "$ODOO_FAILED" -ne 0 ] || [ "$ODOO_PASSED" -eq 0 ] || [ "$errors" -ne 0 ]; then
        tail -n 60 "$WORK_DIR/suite.log"
        FAILED_PARTS+=("odoo suite")
    fi
    say "ODOO SUITE: $ODOO_PASSED passed, $ODOO_FAILED failed (install and tests: $((end - start)) s)"
    if [ -n "${KEEP_LOGS:-}" ]; then
        cp "$WORK_DIR"/*.log "$KEEP_LOGS"/ 2>/dev/null || true
    fi
}

use_odoo_src || exit 2
ensure_dev_deps || { say "Could not install the test dependencies."; exit 1; }
if [ "${1:-}" = static ]; then  # make lint: the static checks alone
    run_static
    [ "${#FAILED_PARTS[@]}" -eq 0 ]
    exit
fi
run_pure
run_static
run_odoo

say "== Summary"
say "pure: $PURE_PASSED passed, $PURE_FAILED failed; odoo: $ODOO_PASSED passed, $ODOO_FAILED failed"
if [ "${#FAILED_PARTS[@]}" -ne 0 ]; then
    say "FAILED: ${FAILED_PARTS[*]}"
fi
failed=$((PURE_FAILED + ODOO_FAILED))
if [ "${#FAILED_PARTS[@]}" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=${#FAILED_PARTS[@]}
fi
say "$((PURE_PASSED + ODOO_PASSED)) passed, $failed failed"
[ "${#FAILED_PARTS[@]}" -eq 0 ]
