# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The scheduled job keeps several requests in flight while it sends, with
the exactly-once bookkeeping of sending one invoice after another."""

import time

from odoo.tests import TransactionCase, tagged

from .. import uninstall_hook
from .common import ProcountorInvoiceCommon
from .test_account_move_send import PastGrace


def most_in_flight(requests, latency):
    """The most requests the simulator was answering at one moment: each
    takes ``latency`` seconds from its arrival."""
    times = sorted(request["time"] for request in requests)
    return max(
        (
            sum(1 for other in times if start <= other < start + latency)
            for start in times
        ),
        default=0,
    )


@tagged("post_install", "-at_install")
class TestBulkSendConcurrent(PastGrace, ProcountorInvoiceCommon):
    def tearDown(self):
        self.sim.latency = 0.0
        super().tearDown()

    def _cron(self):
        self.env["account.move"]._cron_procountor_send_invoices()

    def test_bulk_send_keeps_requests_in_flight(self):
        moves = self.env["account.move"]
        for _index in range(6):
            moves |= self._invoice()
        moves._procountor_queue()
        latency = 0.3
        self.sim.latency = latency
        start = time.perf_counter()
        self._cron()
        wall = time.perf_counter() - start
        self.assertEqual(set(moves.mapped("procountor_state")), {"sent"})
        for move in moves:
            self.assertEqual(self._remote(move)["status"], "NOT_SENT")
        self.assertEqual(self.sim.count("POST", "/invoices"), 6)
        # Create and approve of 6 invoices, one after another, take at least
        # 12 latencies; in flight together, a few.
        calls = self.sim.count("POST", "/invoices") + self.sim.count(
            "PUT", "/invoices/*/approve"
        )
        self.assertEqual(calls, 12)
        self.assertLess(wall, calls * latency, "requests were in flight together")
        creates = [
            r
            for r in self.sim.requests
            if (r["method"], r["path"]) == ("POST", "/invoices")
        ]
        self.assertGreaterEqual(most_in_flight(creates, latency), 2)
        # Every call is in the API log of its own invoice.
        for move in moves:
            logs = self.env["procountor.log"].search(
                [
                    ("res_model", "=", "account.move"),
                    ("res_id", "=", move.id),
                    ("path", "=like", "/invoices%"),
                ]
            )
            self.assertEqual(
                sorted((log.method, log.path, log.status_code) for log in logs),
                [
                    ("POST", "/invoices", 200),
                    ("PUT", f"/invoices/{move.procountor_id}/approve", 200),
                ],
            )

    def test_lost_answer_in_a_concurrent_slice(self):
        moves = self.env["account.move"]
        for _index in range(4):
            moves |= self._invoice()
        moves._procountor_queue()
        self.sim.latency = 0.2
        self.sim.lose_response_next("POST", "/invoices")
        self._cron()
        lost = moves.filtered(lambda move: move.procountor_state == "needs_check")
        self.assertEqual(len(lost), 1, moves.mapped("procountor_error"))
        self.assertIn("answer was lost", lost.procountor_error)
        self.assertFalse(lost.procountor_id)
        self.assertEqual(set((moves - lost).mapped("procountor_state")), {"sent"})
        for move in moves:
            self._remote(move)  # exactly one each, the lost one included
        self.assertEqual(self.sim.count("POST", "/invoices"), 4)
        # Left alone in its grace period, then linked: never created twice.
        self._cron()
        self.assertEqual(lost.procountor_state, "needs_check")
        self._past_grace(lost)
        self._cron()
        self.assertEqual(lost.procountor_state, "sent", lost.procountor_error)
        self.assertEqual(lost.procountor_id, self._remote(lost)["id"])
        self.assertEqual(self.sim.count("POST", "/invoices"), 4)

    def test_refusal_in_a_concurrent_slice_fails_that_invoice_only(self):
        moves = self.env["account.move"]
        for _index in range(3):
            moves |= self._invoice()
        moves._procountor_queue()
        self.sim.latency = 0.1
        self.sim.fail_next("PUT", "/invoices/*/approve", status=403)
        self._cron()
        failed = moves.filtered(lambda move: move.procountor_state == "error")
        self.assertEqual(len(failed), 1, moves.mapped("procountor_error"))
        self.assertIn("lacks the rights", failed.procountor_error)
        self.assertEqual(self._remote(failed)["status"], "UNFINISHED")
        self.assertEqual(set((moves - failed).mapped("procountor_state")), {"sent"})
        self.assertEqual(self.sim.count("POST", "/invoices"), 3)


@tagged("post_install", "-at_install")
class TestUninstallHook(TransactionCase):
    def _table_exists(self):
        self.env.cr.execute(
            "SELECT to_regclass('procountor_throttle_slot') IS NOT NULL"
        )
        return self.env.cr.fetchone()[0]

    def test_uninstall_drops_the_request_slot_table(self):
        self.assertTrue(self._table_exists())

        class Undo(Exception):
            pass

        with self.assertRaises(Undo):
            with self.env.cr.savepoint():
                uninstall_hook(self.env)
                self.assertFalse(self._table_exists())
                raise Undo()
        self.assertTrue(self._table_exists(), "the savepoint brought it back")
