#!/usr/bin/env bash
# The project's run command (README: "make demo"): a throwaway PostgreSQL
# cluster, the Procountor simulator (demo mode) and an Odoo 18 server with this
# addon, the Finnish localisation (l10n_fi) and demo data, all on 127.0.0.1.
# The demo data then sets up a Finnish company connected to the simulator.
# Ctrl-C stops everything.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

HTTP_PORT=${HTTP_PORT:-8069}
SIM_PORT=${SIM_PORT:-8070}
DB=${DB:-procountor_demo}
WORK_DIR=${DEMO_DIR:-/tmp/procountor-demo}

use_odoo_src || exit 2
if ! odoo_importable; then
    odoo_missing_message
    exit 2
fi
ensure_postgresql || exit 1
# A Finnish company makes Odoo install account_peppol, which needs phonenumbers.
if ! "$PYTHON" -c 'import phonenumbers' >/dev/null 2>&1; then
    say "Installing the phonenumbers Python package (Odoo's Peppol module needs it)."
    "$PYTHON" -m pip install -q phonenumbers || exit 1
fi
for port in "$HTTP_PORT" "$SIM_PORT"; do
    if "$PYTHON" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $port)) != 0)"; then
        say "Port $port on 127.0.0.1 is already in use; set HTTP_PORT or SIM_PORT to a free one."
        exit 1
    fi
done

rm -rf "$WORK_DIR"
mkdir -p "$WORK_DIR"
ADDONS_DIR="$WORK_DIR/addons"
make_addons_dir "$ADDONS_DIR"
SIM_PID=
cleanup() {
    [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null
    stop_pg
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_pg "$WORK_DIR" || exit 1
say "PostgreSQL: 127.0.0.1:$PG_PORT (throwaway cluster in $WORK_DIR)"

"$PYTHON" -m procountor_simulator --demo --host 127.0.0.1 --port "$SIM_PORT" >"$WORK_DIR/simulator.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 50); do
    grep -q "base URL" "$WORK_DIR/simulator.log" 2>/dev/null && break
    sleep 0.1
done
if ! kill -0 "$SIM_PID" 2>/dev/null; then
    cat "$WORK_DIR/simulator.log"
    say "The Procountor simulator did not start."
    exit 1
fi
mapfile -t common < <(odoo_common_args)

say "Installing procountor_connector and l10n_fi with demo data into database $DB (a few minutes)..."
if ! "$PYTHON" -m odoo "${common[@]}" -d "$DB" -i "l10n_fi,$MODULE" --stop-after-init \
    --http-port="$HTTP_PORT" --log-level=warn >"$WORK_DIR/install.log" 2>&1; then
    tail -n 40 "$WORK_DIR/install.log"
    say "Installation failed; the whole log is in $WORK_DIR/install.log."
    exit 1
fi

# The demo connections point at the simulator (on SIM_PORT). Test them once
# and fetch the Finnish company's VAT settings, so its invoices can be sent
# at once.
SIM_PORT=$SIM_PORT "$PYTHON" -m odoo shell "${common[@]}" -d "$DB" --http-port="$HTTP_PORT" \
    --log-level=warn >"$WORK_DIR/check.log" 2>&1 <<'PY'
import os
url = "http://127.0.0.1:%s/api" % os.environ["SIM_PORT"]
connection = env.ref("procountor_connector.procountor_connection_default")
connection.custom_url = url
connection.action_test_connection()
print("TEST CONNECTION:", "ok" if connection.last_test_ok else "failed", "-", connection.last_test_message)
finnish = env["res.company"]._procountor_demo_connect(url)
if finnish:
    print("TEST CONNECTION:", "ok" if finnish.last_test_ok else "failed", "-",
          finnish.last_test_message, "- VAT rates:", len(finnish.vat_rate_ids))
    print("DEMO COMPANY:", finnish.company_id.name)
env.cr.commit()
PY
grep "TEST CONNECTION" "$WORK_DIR/check.log" || { tail -n 20 "$WORK_DIR/check.log"; exit 1; }

say ""
cat "$WORK_DIR/simulator.log"
cat <<TXT

  Odoo                 : http://127.0.0.1:$HTTP_PORT   (login admin / password admin)
  Demo company         : $(sed -n 's/^DEMO COMPANY: //p' "$WORK_DIR/check.log") (the admin's current company)
  Connection           : Accounting > Configuration > Procountor > Connections
  Customers pay        : http://127.0.0.1:$SIM_PORT/demo   (or: python3 -m procountor_simulator pay <Procountor ID> --port $SIM_PORT)
  Press Ctrl-C to stop; everything lives in $WORK_DIR.

TXT
"$PYTHON" -m odoo "${common[@]}" -d "$DB" --db-filter="^$DB\$" \
    --http-port="$HTTP_PORT" --max-cron-threads=1 --log-level=info
