# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import time

from odoo.tests import tagged

from .bill_common import ProcountorBillCommon

_logger = logging.getLogger(__name__)

BILLS = 400
SUPPLIERS = 50


@tagged("post_install", "-at_install", "-standard", "procountor_benchmark_bill_import")
class BenchmarkBillImport(ProcountorBillCommon):
    """make benchmark NAME=bill_import: a first import of 400 bills (3 lines
    each, every fourth with a PDF, 50 suppliers unknown to Odoo), then a run
    that finds them all again."""

    def _measure(self, label, bills):
        queries = self.env.cr.sql_log_count
        calls = self.sim.count()
        started = time.perf_counter()
        run = self._run()
        seconds = time.perf_counter() - started
        queries = self.env.cr.sql_log_count - queries
        calls = self.sim.count() - calls
        _logger.info(
            "PROCOUNTOR BENCHMARK bill_import %s: %s bills (%s imported, %s skipped) in "
            "%.1f s = %.0f ms/bill; %s SQL queries = %.0f/bill; %s API calls",
            label, bills, run.imported, run.skipped, seconds, 1000 * seconds / bills,
            queries, queries / bills, calls,
        )
        return run

    def test_import_then_rerun(self):
        project = next(d for d in self.sim.store.dimensions.values() if d["name"] == "Project")
        suppliers = [self._supplier(f"Toimittaja {n:03d} Oy") for n in range(SUPPLIERS)]
        for n in range(BILLS):
            self.sim.add_purchase_invoice(
                suppliers[n % SUPPLIERS],
                self.day,
                with_attachment=n % 4 == 0,
                rows=[
                    {"product": "Rent", "unitPrice": 1000 + n, "account": "6800"},
                    {"product": "Paper", "quantity": 3, "unitPrice": 10.15, "vatPercent": 14,
                     "account": "4000"},
                    {"product": "Subcontracting", "unitPrice": 250, "account": "4000",
                     "dimensionItemValues": [{"dimensionId": project["id"],
                                              "itemId": project["items"][0]["id"],
                                              "value": 250}]},
                ],
            )
        first = self._measure("first run", BILLS)
        self.assertEqual(first.imported, BILLS)
        self.assertEqual(len(self._bills().partner_id), SUPPLIERS)
        # Everything listed again, as after a change of the start date.
        self.bill_connection.write({"bill_invoice_version": False, "bill_receipt_version": False})
        again = self._measure("rerun", BILLS)
        self.assertEqual((again.imported, again.skipped), (0, BILLS))
