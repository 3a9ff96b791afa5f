# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark: fetch the payments of many sent invoices.

    make benchmark NAME=payment_fetch

PROCOUNTOR_BENCH_INVOICES sets the number of sent open invoices (default
10000); every tenth gets a new payment event in the simulator. With
PROCOUNTOR_BENCH_LATENCY (seconds) the events are first read under that
simulated latency one request at a time and then several at once, printing
requests per second of each.
"""

import logging
import math
import os
import time

from odoo import Command, fields
from odoo.tests import tagged

from ..models.procountor_payment_import import PaymentImportRun
from .payment_common import ProcountorPaymentCommon

_logger = logging.getLogger(__name__)

BATCH = 500


@tagged(
    "post_install", "-at_install", "-standard", "procountor_benchmark_payment_fetch"
)
class TestPaymentFetchBenchmark(ProcountorPaymentCommon):
    def _create_sent_invoices(self, count):
        """``count`` posted invoices, each with a simulator twin, marked sent.

        The twins are created first (in memory, without HTTP), so the Odoo
        moves get their Procountor fields at creation instead of 10,000 writes.
        """
        partners = self.env["res.partner"].create(
            [
                {"name": f"Benchmark Customer {index:03d}", "is_company": True}
                for index in range(50)
            ]
        )
        today = fields.Date.today()
        now = fields.Datetime.now()
        moves = self.env["account.move"]
        for start in range(0, count, BATCH):
            vals_list = []
            for index in range(start, min(start + BATCH, count)):
                amount = float(10 + index % 990)
                partner = partners[index % len(partners)]
                remote = self.sim.create_invoice(
                    self._remote_invoice_payload(
                        partner.name, amount, self.company.currency_id.name
                    )
                )
                vals_list.append(
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": today,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "Service",
                                    "quantity": 1,
                                    "price_unit": amount,
                                    "tax_ids": [],
                                }
                            )
                        ],
                        "procountor_connection_id": self.connection.id,
                        "procountor_id": remote["id"],
                        "procountor_state": "sent",
                        "procountor_status": "SENT",
                        "procountor_sent_date": now,
                    }
                )
            # As the connector itself: users may not set its fields by hand.
            batch = self.env["account.move"].sudo().create(vals_list).sudo(False)
            batch.action_post()
            moves |= batch
            self.env.flush_all()
            self.env.invalidate_all()
        return moves

    def _odoo_register_payments(self, paid, amounts):
        """Odoo's own Register Payment, one payment per invoice, on copies of
        the invoices just paid through Procountor (same partners, amounts and
        database). Returns seconds and SQL queries per payment."""
        today = fields.Date.today()
        twins = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": move.partner_id.id,
                    "invoice_date": today,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Service",
                                "quantity": 1,
                                "price_unit": amounts[move.id],
                                "tax_ids": [],
                            }
                        )
                    ],
                }
                for move in paid
            ]
        )
        twins.action_post()
        self.env.flush_all()
        self.env.invalidate_all()
        queries = self.env.cr.sql_log_count
        started = time.perf_counter()
        for move in twins:
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=move.ids
            ).create({"payment_date": today})._create_payments()
        self.env.flush_all()
        seconds = time.perf_counter() - started
        queries = self.env.cr.sql_log_count - queries
        # Odoo says in_payment until the bank statement is reconciled.
        self.assertLessEqual(set(twins.mapped("payment_state")), {"paid", "in_payment"})
        self.assertFalse(any(twins.mapped("amount_residual")))
        return seconds / len(twins), queries / len(twins)

    def _compare_concurrent_reads(self, connection, latency):
        """Read (create nothing) the events of every candidate under
        ``latency``, one request at a time and then several at once."""
        Import = self.env["procountor.payment.import"]
        candidates = Import._candidates(connection)
        client = connection._procountor_client()
        default = client.concurrency
        self.sim.latency = latency
        try:
            for concurrency in (1, default):
                client.concurrency = concurrency
                before = len(self.sim.requests)
                started = time.perf_counter()
                Import._read(PaymentImportRun(connection), candidates)
                seconds = time.perf_counter() - started
                calls = len(self.sim.requests) - before
                _logger.info(
                    "PROCOUNTOR BENCHMARK payment_fetch read at %.0f ms latency, %s in "
                    "flight: %s requests in %.2f s = %.1f requests/s",
                    latency * 1000,
                    concurrency,
                    calls,
                    seconds,
                    calls / seconds,
                )
        finally:
            client.concurrency = default
            self.sim.latency = 0.0

    def test_fetch_payments_of_many_invoices(self):
        count = int(os.environ.get("PROCOUNTOR_BENCH_INVOICES", "10000"))
        started = time.perf_counter()
        moves = self._create_sent_invoices(count)
        setup_seconds = time.perf_counter() - started
        paid = moves[::10]
        amounts = dict(zip(moves.ids, moves.mapped("amount_total"), strict=True))
        for move in paid:
            self.sim.register_payment(move.procountor_id, amounts[move.id])
        self.env.invalidate_all()

        connection = self.connection
        latency = float(os.environ.get("PROCOUNTOR_BENCH_LATENCY", "0"))
        if latency:
            self._compare_concurrent_reads(connection, latency)

        requests_before = len(self.sim.requests)
        queries_before = self.env.cr.sql_log_count
        Import = self.env["procountor.payment.import"]
        run = PaymentImportRun(connection)
        counts = run.counts
        started = time.perf_counter()
        candidates = Import._candidates(connection)
        Import._read(run, candidates)
        read_seconds = time.perf_counter() - started
        queries_read = self.env.cr.sql_log_count - queries_before
        Import._apply(run)
        Import._finish(run)
        total_seconds = time.perf_counter() - started
        apply_seconds = total_seconds - read_seconds
        queries = self.env.cr.sql_log_count - queries_before

        requests = self.sim.requests[requests_before:]
        event_calls = sum(1 for r in requests if r["path"] == "/payments/paymentevents")
        other_calls = len(requests) - event_calls
        # ceil(N/200) calls plus one per extra page of results (API_NOTES §3.4).
        chunks = [candidates[i : i + 200] for i in range(0, len(candidates), 200)]
        paid_ids = set(paid.ids)
        target = sum(
            max(1, math.ceil(sum(1 for move in chunk if move.id in paid_ids) / 200))
            for chunk in chunks
        )

        self.assertEqual(len(candidates), count)
        self.assertEqual(counts["created"], len(paid))
        self.assertEqual(counts["errors"], 0)
        self.assertLessEqual(event_calls, target)
        self.assertEqual(set(paid.mapped("payment_state")), {"paid"})
        self.assertEqual(
            self.env["account.payment"].search_count(
                [("procountor_connection_id", "=", connection.id)]
            ),
            len(paid),
        )

        created = counts["created"]
        odoo_seconds, odoo_queries = self._odoo_register_payments(paid, amounts)
        ours_ms = 1000 * apply_seconds / created
        ours_queries = (queries - queries_read) / created
        for line in (
            f"invoices={count} with_new_payments={len(paid)} "
            f"setup_s={setup_seconds:.1f}",
            f"api_calls={event_calls} (+{other_calls} token/other) target<={target} "
            f"(ceil(N/200)={math.ceil(count / 200)}) vs one_call_per_invoice={count}",
            f"wall_s={total_seconds:.1f} read_s={read_seconds:.1f} "
            f"apply_s={apply_seconds:.1f}",
            f"payments_created={created} "
            f"ms_per_payment={1000 * apply_seconds / created:.1f}",
            f"sql_queries={queries} (read={queries_read}, "
            f"per_payment={(queries - queries_read) / created:.1f})",
            f"odoo_register_payment (one wizard per invoice, same invoices) "
            f"ms_per_payment={1000 * odoo_seconds:.1f} "
            f"queries_per_payment={odoo_queries:.1f}",
            f"ratio ours/odoo: time={ours_ms / (1000 * odoo_seconds):.2f} "
            f"queries={ours_queries / odoo_queries:.2f}",
        ):
            _logger.info("PROCOUNTOR BENCHMARK payment_fetch %s", line)
