# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmarks of the fetch wizards, skipped by the normal suite.

    make benchmark NAME=partner_import
    make benchmark NAME=product_import

Each prints wall time, API calls and SQL queries for fetch, match and apply.
"""

import logging
import time

from odoo.tests import tagged

from .common_registers import ProcountorRegistersCommon

_logger = logging.getLogger(__name__)

RECORDS = 5000
MATCHING = 1000


class BenchmarkMixin:
    def _measure(self, name, phase, function):
        """Run ``function`` (flushing what it leaves pending) and log its cost."""
        cr = self.env.cr
        queries, calls, started = (
            cr.sql_log_count,
            self.sim.count(),
            time.perf_counter(),
        )
        result = function()
        self.env.flush_all()
        elapsed = time.perf_counter() - started
        _logger.info(
            "PROCOUNTOR BENCHMARK %s %-5s: %6.2f s, %4d API calls, %6d SQL queries",
            name,
            phase,
            elapsed,
            self.sim.count() - calls,
            cr.sql_log_count - queries,
        )
        return result


@tagged(
    "post_install", "-at_install", "-standard", "procountor_benchmark_partner_import"
)
class BenchmarkPartnerImport(BenchmarkMixin, ProcountorRegistersCommon):
    def test_partner_import(self):
        customers = self.sim.seed_customers(RECORDS)
        # Every fifth customer is already in Odoo, found by business ID, by
        # e-invoice address or by e-mail.
        values = []
        for number, remote in enumerate(customers[4::5]):
            info = remote["invoicingInfo"]
            contact = {"name": f"{remote['name']} (Odoo)", "is_company": True}
            if number % 5 == 0:
                contact["email"] = info["email"].upper()
            elif number % 5 == 1 and info.get("einvoiceAddress"):
                contact["procountor_einvoice_address"] = info["einvoiceAddress"]
            else:
                contact["company_registry"] = info["identifier"].replace("-", "")
            values.append(contact)
        self.env["res.partner"].create(values)
        self.env.flush_all()

        wizard = self.env["procountor.partner.import"].create(
            {"connection_id": self.connection.id}
        )
        self._measure("partner_import", "fetch", wizard._fetch)
        self._measure("partner_import", "match", wizard._match)
        self._measure("partner_import", "apply", wizard.action_apply)

        mains = wizard.line_ids.filtered(lambda line: line.line_type == "main")
        # The three customers the simulator starts with come on top.
        self.assertEqual(len(mains), RECORDS + 3)
        self.assertEqual(mains.mapped("result").count("updated"), MATCHING)
        self.assertEqual(
            mains.mapped("result").count("created"), RECORDS + 3 - MATCHING
        )
        self.assertFalse(wizard.line_ids.filtered(lambda line: line.result == "failed"))
        _logger.info("PROCOUNTOR BENCHMARK partner_import summary: %s", wizard.summary)


@tagged(
    "post_install", "-at_install", "-standard", "procountor_benchmark_product_import"
)
class BenchmarkProductImport(BenchmarkMixin, ProcountorRegistersCommon):
    def test_product_import(self):
        products = self.sim.seed_products(RECORDS)
        self.env["product.product"].create(
            [
                {
                    "name": f"{remote['name']} (Odoo)",
                    "default_code": remote["code"].lower(),
                }
                for remote in products[4::5]
            ]
        )
        self.env.flush_all()

        wizard = self.env["procountor.product.import"].create(
            {"connection_id": self.connection.id}
        )
        self._measure("product_import", "fetch", wizard._fetch)
        self._measure("product_import", "match", wizard._match)
        self._measure("product_import", "apply", wizard.action_apply)

        results = wizard.line_ids.mapped("result")
        # The three sales products the simulator starts with come on top.
        self.assertEqual(len(results), RECORDS + 3)
        self.assertEqual(results.count("updated"), MATCHING)
        self.assertEqual(results.count("created"), RECORDS + 3 - MATCHING)
        _logger.info("PROCOUNTOR BENCHMARK product_import summary: %s", wizard.summary)
