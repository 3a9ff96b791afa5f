# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import ProcountorInvoiceCommon


@tagged("post_install", "-at_install")
class TestVatRateMessages(ProcountorInvoiceCommon):
    """A tax Procountor lacks: the sentence says what Procountor has, names
    countries as people do, and only asks to fetch when nothing was fetched."""

    def _rate_problem(self, move):
        problems = move._procountor_check(self.connection)
        found = [problem for problem in problems if "tax " in problem]
        self.assertEqual(len(found), 1, problems)
        return found[0]

    def test_rate_not_in_procountor_lists_its_rates(self):
        tax_24 = self.tax_255.copy({"name": "VAT 24% (old)", "amount": 24.0})
        move = self._invoice(
            lines=[{"product": self.product_a, "price_unit": 100.0, "taxes": tax_24}]
        )
        self.assertEqual(
            self._rate_problem(move),
            "line “Consulting”: tax VAT 24% (old) (24 %) is not one of Procountor's "
            "VAT rates for Finland: 25.5, 14, 13.5, 10, 0 % (Taxes)",
        )

    def test_country_without_procountor_rates_named_in_words(self):
        move = self._invoice()
        self.company.account_fiscal_country_id = self.env.ref("base.us")
        problem = self._rate_problem(move)
        self.assertEqual(
            problem,
            f"line “Consulting”: tax {self.tax_255.name} (25.5 %) is VAT of United "
            "States, for which Procountor has no VAT rates; it has rates for Finland "
            "(the company's Fiscal Country, or the Procountor VAT Country of the "
            "fiscal position)",
        )
        self.assertNotIn("UNITED_STATES", problem)
        self.assertNotIn("Fetch VAT settings", problem)

    def test_rates_never_fetched_asks_to_fetch(self):
        self.connection.vat_rate_ids.unlink()
        self.connection.vat_fetch_date = False
        move = self._invoice()
        self.assertEqual(
            self._rate_problem(move),
            f"line “Consulting”: tax {self.tax_255.name} (25.5 %) cannot be checked "
            "against Procountor's VAT rates, which were never fetched; press Fetch VAT "
            "settings on connection Simulated Procountor",
        )
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "error")
        self.assertIn("press Fetch VAT settings", move.procountor_error)
