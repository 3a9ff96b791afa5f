# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import copy
import cProfile
import io
import logging
import os
import pstats
import time
from unittest.mock import patch

from odoo.tests import tagged

from ..models.procountor_bill_import import CREATE_BATCH_SIZE
from .bill_common import ProcountorBillCommon

_logger = logging.getLogger(__name__)

BILLS = 400
SUPPLIERS = 50


@tagged("post_install", "-at_install", "-standard", "procountor_benchmark_bill_import")
class BenchmarkBillImport(ProcountorBillCommon):
    """make benchmark NAME=bill_import: a first import of 400 bills (3 lines
    each, every fourth with a PDF, 50 suppliers unknown to Odoo), next to
    creating the same bills with ``account.move.create`` of the very values
    the import passed (all in one call, then as many at a time as the import
    creates), then a run that finds them all again. With
    PROCOUNTOR_BENCH_PROFILE=1 it also prints where the first run's time
    goes."""

    def _capture_move_values(self):
        """Patch account.move.create to keep a copy of the values of the bills
        it creates; returns (patcher, list the values are appended to)."""
        Move = type(self.env["account.move"])
        original = Move.create
        captured = []

        def create(records, vals_list):
            vals_list = vals_list if isinstance(vals_list, list) else [vals_list]
            captured.extend(
                copy.deepcopy(vals)
                for vals in vals_list
                if vals.get("procountor_bill_id")
            )
            return original(records, vals_list)

        return patch.object(Move, "create", create), captured

    def _measure_native(self, move_values, size):
        """Time and queries of account.move.create of move_values ``size`` at
        a time, flushed, in place of the bills the import made (rolled back
        after)."""
        with self.env.cr.savepoint() as savepoint:
            self._bills().with_context(force_delete=True).unlink()
            self.env.flush_all()
            queries = self.env.cr.sql_log_count
            started = time.perf_counter()
            moves = self.env["account.move"]
            for start in range(0, len(move_values), size):
                moves |= moves.create(copy.deepcopy(move_values[start : start + size]))
                self.env.flush_all()
            seconds = time.perf_counter() - started
            queries = self.env.cr.sql_log_count - queries
            self.assertEqual(len(moves), len(move_values))
            savepoint.close(rollback=True)
        _logger.info(
            "PROCOUNTOR BENCHMARK bill_import native: %s bills by account.move.create "
            "of %s at a time in %.1f s = %.0f ms/bill; %s SQL queries = %.1f/bill",
            len(move_values),
            size,
            seconds,
            1000 * seconds / len(move_values),
            queries,
            queries / len(move_values),
        )
        return seconds, queries

    def _measure(self, label, bills):
        queries = self.env.cr.sql_log_count
        calls = self.sim.count()
        profile = (
            cProfile.Profile() if os.environ.get("PROCOUNTOR_BENCH_PROFILE") else None
        )
        started = time.perf_counter()
        if profile:
            profile.enable()
        run = self._run()
        self.env.flush_all()
        if profile:
            profile.disable()
        seconds = time.perf_counter() - started
        if profile:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
            _logger.info(
                "PROCOUNTOR BENCHMARK bill_import %s profile:\n%s",
                label,
                out.getvalue(),
            )
        queries = self.env.cr.sql_log_count - queries
        calls = self.sim.count() - calls
        _logger.info(
            "PROCOUNTOR BENCHMARK bill_import %s: %s bills (%s imported, %s skipped) "
            "in %.1f s = %.0f ms/bill; %s SQL queries = %.0f/bill; %s API calls",
            label,
            bills,
            run.imported,
            run.skipped,
            seconds,
            1000 * seconds / bills,
            queries,
            queries / bills,
            calls,
        )
        run.seconds, run.queries = seconds, queries
        return run

    def test_import_then_rerun(self):
        project = next(
            d for d in self.sim.store.dimensions.values() if d["name"] == "Project"
        )
        suppliers = [self._supplier(f"Toimittaja {n:03d} Oy") for n in range(SUPPLIERS)]
        for n in range(BILLS):
            self.sim.add_purchase_invoice(
                suppliers[n % SUPPLIERS],
                self.day,
                with_attachment=n % 4 == 0,
                rows=[
                    {"product": "Rent", "unitPrice": 1000 + n, "account": "6800"},
                    {
                        "product": "Paper",
                        "quantity": 3,
                        "unitPrice": 10.15,
                        "vatPercent": 14,
                        "account": "4000",
                    },
                    {
                        "product": "Subcontracting",
                        "unitPrice": 250,
                        "account": "4000",
                        "dimensionItemValues": [
                            {
                                "dimensionId": project["id"],
                                "itemId": project["items"][0]["id"],
                                "value": 250,
                            }
                        ],
                    },
                ],
            )
        # A first run rolled back warms the caches for both measurements, as
        # Odoo's own create of the same bills gets them warm.
        patcher, warm_values = self._capture_move_values()
        with patcher, self.env.cr.savepoint() as savepoint:
            self.assertEqual(self._run().imported, BILLS)
            self.env.flush_all()
            savepoint.close(rollback=True)
        self.assertEqual(len(warm_values), BILLS)
        patcher, move_values = self._capture_move_values()
        with patcher:
            first = self._measure("first run", BILLS)
        self.assertEqual(first.imported, BILLS)
        self.assertEqual(len(self._bills().partner_id), SUPPLIERS)
        self.assertEqual(len(move_values), BILLS)
        # One batch of all, as asked, and batches of the import's own size.
        for size in (BILLS, CREATE_BATCH_SIZE):
            seconds, queries = self._measure_native(move_values, size)
            _logger.info(
                "PROCOUNTOR BENCHMARK bill_import connector/native (%s at a time): "
                "%.2f x the time per bill (%.0f vs %.0f ms), %.2f x the queries per "
                "bill (%.1f vs %.1f); target <= 1.2 x the time",
                size,
                first.seconds / seconds,
                1000 * first.seconds / BILLS,
                1000 * seconds / BILLS,
                first.queries / queries,
                first.queries / BILLS,
                queries / BILLS,
            )
        # Everything listed again, as after a change of the start date.
        self.bill_connection.write(
            {"bill_invoice_version": False, "bill_receipt_version": False}
        )
        again = self._measure("rerun", BILLS)
        self.assertEqual((again.imported, again.skipped), (0, BILLS))
