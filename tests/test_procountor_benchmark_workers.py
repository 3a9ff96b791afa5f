# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark: two Odoo processes send at once with one client ID.

    make benchmark NAME=workers

Two ``odoo shell`` processes on this database each send their own queue
of invoices (as the send job does, in slices of 20 with several requests in
flight; PROCOUNTOR_BENCH_ONE_BY_ONE=1 sends invoice by invoice) to the one
simulator of this test, once with the simulator's rate limit on and once
with it off. It prints the most requests the simulator received in any one
second and the 429 answers; the shared throttle should keep them at
<= 20 and 0.

Not part of the test suite (tag -standard). The invoices, the connection
and the company settings are committed, since the other processes must see
them: run it on a throwaway database, as ``make benchmark`` does.
PROCOUNTOR_BENCH_INVOICES sets the invoices per process (default 100),
PROCOUNTOR_BENCH_LATENCY the simulated latency (default 0.02 s).
"""

import json
import logging
import os
import subprocess
import sys
import tempfile
import time

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import tagged
from odoo.tools import config

from ..procountor_simulator.seed import DEFAULT_IBAN
from .common import ProcountorCommon
from .test_procountor_throttle import peak_per_second

_logger = logging.getLogger(__name__)

# What each process runs (on stdin of "odoo shell"): wait for the start
# signal, then do what the send job does with its invoices.
WORKER = """
import json, os, time
ids = json.loads(os.environ["BENCH_IDS"])
if os.environ.get("BENCH_LOCAL"):
    # The former behaviour, for comparison: each process counts alone.
    from odoo.addons.procountor_connector.procountor_api import LocalThrottle
    connection_id = int(os.environ["BENCH_CONNECTION"])
    connection = env["procountor.connection"].browse(connection_id)
    connection._procountor_client().throttle = LocalThrottle(20)
open(os.environ["BENCH_READY"], "w").close()
while not os.path.exists(os.environ["BENCH_GO"]):
    time.sleep(0.01)
started = time.perf_counter()
moves = env["account.move"].browse(ids)
if os.environ.get("PROCOUNTOR_BENCH_ONE_BY_ONE"):
    for move in moves:
        if not move._procountor_try_lock():
            continue
        try:
            move.invalidate_recordset()
            if move.procountor_state == "to_send":
                move._procountor_send_one()
        finally:
            move._procountor_unlock()
        move._procountor_commit()
else:
    # As the send job does: slices of 20, several requests in flight.
    def done(move):
        move._procountor_unlock()
        move._procountor_commit()
    for start in range(0, len(moves), 20):
        batch = moves[start:start + 20]
        locked = batch.filtered(lambda move: move._procountor_try_lock())
        env.cr.commit()
        locked.invalidate_recordset()
        due = locked.filtered(lambda move: move.procountor_state == "to_send")
        for move in locked - due:
            done(move)
        due._procountor_send_concurrently(on_done=done)
wall = time.perf_counter() - started
env.cr.commit()
print("BENCH-RESULT " + json.dumps({"wall": wall, "count": len(ids)}))
"""


@tagged("post_install", "-at_install", "-standard", "procountor_benchmark_workers")
class BenchmarkTwoWorkers(ProcountorCommon):
    def _committed_env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _setup_committed(self, count):
        """A connection, a tax, a customer and ``2 * count`` queued invoices
        on the main company, committed; returns the two id lists."""
        with self.registry.cursor() as cr:
            env = self._committed_env(cr)
            company = env.ref("base.main_company")
            finland = env.ref("base.fi")
            company.write(
                {"country_id": finland.id, "account_fiscal_country_id": finland.id}
            )
            # A new connection each round: the reset simulator reuses ids.
            connection = env["procountor.connection"].create(
                {
                    **self._connection_values(
                        name=f"Benchmark workers {time.time()}", company_id=company.id
                    ),
                    "approve_after_create": True,
                    "send_after_approve": True,
                }
            )
            company.procountor_connection_id = connection
            connection._procountor_store_vat_settings(self.sim.vats_default, {})
            bank = env["res.partner.bank"].search(
                [
                    ("acc_number", "=", DEFAULT_IBAN),
                    ("partner_id", "=", company.partner_id.id),
                ]
            ) or env["res.partner.bank"].create(
                {"acc_number": DEFAULT_IBAN, "partner_id": company.partner_id.id}
            )
            connection.bank_account_id = bank
            # Warm, as a running server is: the company's bank accounts are known.
            with connection._procountor_api() as client:
                connection._procountor_store_ibans(client)
            tax = env["account.tax"].search(
                [("company_id", "=", company.id), ("name", "=", "Benchmark VAT 25.5%")],
                limit=1,
            )
            if not tax:
                group = env["account.tax.group"].create(
                    {"name": "ALV", "country_id": finland.id, "company_id": company.id}
                )
                tax = env["account.tax"].create(
                    {
                        "tax_group_id": group.id,
                        "name": "Benchmark VAT 25.5%",
                        "amount": 25.5,
                        "amount_type": "percent",
                        "type_tax_use": "sale",
                        "company_id": company.id,
                        "country_id": finland.id,
                    }
                )
            customer = env["res.partner"].create(
                {
                    "name": "Benchmark Asiakas Oy",
                    "is_company": True,
                    "company_registry": "2345678-0",
                    "country_id": finland.id,
                    "street": "Mannerheimintie 1",
                    "zip": "00100",
                    "city": "Helsinki",
                    "email": "laskut@asiakas.example",
                    "lang": "en_US",
                }
            )
            product = env["product.product"].create(
                {"name": "Benchmark Consulting", "default_code": "BENCH-CONS"}
            )
            remote_customer = self.sim.add_partner(
                "Benchmark Asiakas Oy", identifier="2345678-0"
            )
            customer._procountor_set_id(connection, remote_customer["id"])
            remote_product = self.sim.add_product(
                "Benchmark Consulting", code="BENCH-CONS"
            )
            product._procountor_set_id(connection, remote_product["id"])
            moves = (
                env["account.move"]
                .with_company(company)
                .create(
                    [
                        {
                            "move_type": "out_invoice",
                            "company_id": company.id,
                            "partner_id": customer.id,
                            "partner_bank_id": bank.id,
                            "invoice_date": "2026-11-20",
                            "invoice_line_ids": [
                                Command.create(
                                    {
                                        "product_id": product.id,
                                        "quantity": 1 + index % 5,
                                        "price_unit": 10.0 + index % 97,
                                        "tax_ids": [Command.set(tax.ids)],
                                    }
                                )
                            ],
                        }
                        for index in range(2 * count)
                    ]
                )
            )
            moves.action_post()
            moves._procountor_queue()
            env.flush_all()
            # The other processes must see them (see the module docstring).
            cr.commit()  # pylint: disable=invalid-commit
            return connection.id, (moves.ids[:count], moves.ids[count:])

    def _odoo_command(self):
        command = [
            sys.executable,
            "-m",
            "odoo",
            "shell",
            "--no-http",
            "-d",
            self.env.cr.dbname,
            "--log-level=warn",
        ]
        flags = {
            "db_host": "--db_host",
            "db_port": "--db_port",
            "db_user": "--db_user",
            "db_password": "--db_password",
            "addons_path": "--addons-path",
            "data_dir": "--data-dir",
        }
        for option, flag in flags.items():
            value = config.get(option)
            if value:
                command.append(f"{flag}={value}")
        return command

    def _round(self, count, rate_limit, latency, shared=True):
        self.sim.reset()
        self.sim.rate_limit = rate_limit
        connection_id, queues = self._setup_committed(count)
        self.sim.latency = latency
        with tempfile.TemporaryDirectory(prefix="procountor-bench-") as folder:
            go = os.path.join(folder, "go")
            workers = []
            for index, ids in enumerate(queues):
                ready = os.path.join(folder, f"ready{index}")
                env = {
                    **os.environ,
                    "BENCH_IDS": json.dumps(ids),
                    "BENCH_READY": ready,
                    "BENCH_GO": go,
                    "BENCH_CONNECTION": str(connection_id),
                    "BENCH_LOCAL": "" if shared else "1",
                }
                script = os.path.join(folder, f"worker{index}.py")
                with open(script, "w", encoding="utf-8") as handle:
                    handle.write(WORKER)
                output = os.path.join(folder, f"out{index}")
                with (
                    open(script, encoding="utf-8") as stdin,
                    open(output, "w", encoding="utf-8") as stdout,
                ):
                    process = subprocess.Popen(
                        self._odoo_command(),
                        stdin=stdin,
                        stdout=stdout,
                        stderr=subprocess.STDOUT,
                        env=env,
                    )
                workers.append((process, ready, output))
                # A failed round must not leave a worker waiting for the start.
                self.addCleanup(lambda p=process: p.poll() is None and p.kill())
            deadline = time.monotonic() + 300
            while not all(os.path.exists(ready) for _process, ready, _out in workers):
                self.assertLess(time.monotonic(), deadline, "the workers did not start")
                for process, _ready, output in workers:
                    if process.poll() is not None:
                        with open(output, encoding="utf-8") as handle:
                            self.fail(f"a worker stopped: {handle.read()[-3000:]}")
                time.sleep(0.05)
            before = len(self.sim.requests)
            started = time.perf_counter()
            open(go, "w").close()
            results = []
            serialization_failures = 0
            for process, _ready, output in workers:
                process.wait(timeout=1800)
                with open(output, encoding="utf-8") as handle:
                    out = handle.read()
                serialization_failures += out.count("could not serialize access")
                lines = [
                    line
                    for line in out.splitlines()
                    if line.startswith("BENCH-RESULT ")
                ]
                self.assertTrue(lines, f"a worker failed: {out[-3000:]}")
                results.append(json.loads(lines[-1].split(" ", 1)[1]))
            wall = time.perf_counter() - started
        requests = self.sim.requests[before:]
        with self.registry.cursor() as cr:
            env = self._committed_env(cr)
            states = set(
                env["account.move"]
                .browse(queues[0] + queues[1])
                .mapped("procountor_state")
            )
        self.assertEqual(states, {"sent"})
        self.assertEqual(self.sim.count("PUT", "/invoices/*/send"), 2 * count)
        self.assertEqual(
            serialization_failures, 0, "the processes wrote a row both use"
        )
        statuses = [r["status"] for r in requests]
        peak = peak_per_second([r["time"] for r in requests])
        per_process = ", ".join(f"{r['count'] / r['wall']:.2f}" for r in results)
        label = (
            f"{'shared' if shared else 'per-process'} throttle, "
            f"simulator limit {'on' if rate_limit else 'off'}"
        )
        for line in (
            f"{label}: 2 processes x {count} invoices, latency "
            f"{self.sim.latency * 1000:.0f} ms",
            f"{label}: {len(requests)} requests in {wall:.1f} s "
            f"({len(requests) / wall:.1f} requests/s, {2 * count / wall:.2f} "
            f"invoices/s); per process {per_process} invoices/s",
            f"{label}: peak {peak} requests in one second, {statuses.count(429)} "
            f"answered 429, {serialization_failures} serialization failures logged by "
            "the processes",
        ):
            _logger.info("PROCOUNTOR BENCHMARK workers: %s", line)
        return peak, statuses.count(429)

    def test_two_workers_share_the_budget(self):
        count = int(os.environ.get("PROCOUNTOR_BENCH_INVOICES", "100"))
        latency = float(os.environ.get("PROCOUNTOR_BENCH_LATENCY", "0.02"))
        outcomes = {}
        try:
            for rate_limit in (20, None):
                outcomes[rate_limit] = self._round(count, rate_limit, latency)
            # For comparison, each process counting alone (as before).
            self._round(count, None, latency, shared=False)
        finally:
            self.sim.latency = 0.0
            self.sim.rate_limit = None
        for peak, refused in outcomes.values():
            self.assertLessEqual(peak, 20)
            self.assertEqual(refused, 0)
