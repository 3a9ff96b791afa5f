# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from stdnum.fi import ytunnus

from odoo.tests import TransactionCase, tagged

from ..procountor_simulator import Simulator, SimulatorServer, demo
from ..procountor_simulator.seed import DEFAULT_IBAN


@tagged("post_install", "-at_install")
class TestFinnishDemoCompany(TransactionCase):
    """With demo data and l10n_fi, the demo opens on a Finnish company whose
    invoices go to Procountor without any setup, whose customers' payments
    come back and whose accepted vendor bills import."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        l10n_fi = cls.env["ir.module.module"].search(
            [("name", "=", "l10n_fi"), ("state", "=", "installed")]
        )
        with_demo = (
            cls.env["ir.module.module"]
            .search([("name", "=", "procountor_connector")])
            .demo
        )
        # Skipped test by test (setUp), not the class: without l10n_fi or
        # demo data there is simply nothing to check.
        cls.skip_reason = (
            "l10n_fi is not installed: no Finnish demo company"
            if not l10n_fi
            else "installed without demo data: no Finnish demo company"
            if not with_demo
            else None
        )
        if cls.skip_reason:
            return
        cls.company = cls.env.ref("procountor_connector.demo_fi_company")
        cls.connection = cls.env.ref("procountor_connector.demo_fi_connection")
        cls.invoices = cls.env["account.move"].search(
            [("company_id", "=", cls.company.id), ("move_type", "=", "out_invoice")]
        )
        cls.sim = Simulator()
        demo.seed_demo(cls.sim)
        cls.server = SimulatorServer(cls.sim, host="127.0.0.1", port=0).start()
        cls.addClassCleanup(cls.server.stop)
        cls.startClassPatcher(
            patch.object(
                type(cls.env["procountor.connection"]),
                "_procountor_client_options",
                lambda self: {"sleep": lambda seconds: None, "timeout": 10},
            )
        )

    def setUp(self):
        super().setUp()
        if self.skip_reason:
            self.skipTest(self.skip_reason)

    def test_company_is_finnish_and_the_admins(self):
        company = self.company
        self.assertTrue(company.name.endswith(" Oy"))
        self.assertEqual(company.country_id.code, "FI")
        self.assertEqual(company.account_fiscal_country_id.code, "FI")
        self.assertEqual(company.currency_id.name, "EUR")
        self.assertEqual(company.chart_template, "fi")
        admin = self.env.ref("base.user_admin")
        self.assertEqual(admin.company_id, company)
        self.assertIn(company, admin.company_ids)
        self.assertEqual(company.procountor_connection_id, self.connection)

    def test_connection_receiving_account_and_journals(self):
        connection = self.connection
        self.assertEqual(connection.company_id, self.company)
        self.assertEqual(connection.bank_account_id.sanitized_acc_number, DEFAULT_IBAN)
        self.assertEqual(connection.payment_bank_journal_id.type, "bank")
        self.assertEqual(
            connection.payment_bank_journal_id.bank_account_id,
            connection.bank_account_id,
        )
        self.assertEqual(connection.payment_cash_journal_id.type, "cash")
        self.assertEqual(connection.bill_journal_id.type, "purchase")
        self.assertTrue(connection.bill_import_enabled)

    def test_customers_products_and_posted_invoices(self):
        self.assertEqual(len(self.invoices), 4)
        self.assertEqual(set(self.invoices.mapped("state")), {"posted"})
        self.assertEqual(set(self.invoices.mapped("currency_id.name")), {"EUR"})
        customers = self.invoices.commercial_partner_id
        for customer in customers:
            self.assertTrue(ytunnus.is_valid(customer.company_registry), customer.name)
            self.assertEqual(customer.country_id.code, "FI")
            self.assertTrue(customer.street and customer.zip and customer.city)
        taxes = self.invoices.invoice_line_ids.tax_ids
        self.assertEqual(sorted(set(taxes.mapped("amount"))), [14.0, 25.5])

    def test_every_demo_invoice_sends_payment_and_bills_come_back(self):
        connection = self.env["res.company"]._procountor_demo_connect(
            self.server.base_url
        )
        self.assertTrue(connection.last_test_ok, connection.last_test_message)
        for move in self.invoices:
            move.action_procountor_send()
        self.assertEqual(
            {move.name: move.procountor_state for move in self.invoices},
            {move.name: "sent" for move in self.invoices},
            [move.procountor_error for move in self.invoices],
        )
        self.assertEqual(len(self.sim.invoices(type="SALES_INVOICE")), 4)

        paid = self.invoices[0]
        demo.pay(self.sim, paid.procountor_id)
        paid.action_procountor_fetch_payments()
        self.assertEqual(paid.payment_state, "paid")
        self.assertTrue(
            all(move.payment_state == "not_paid" for move in self.invoices[1:])
        )

        connection.action_fetch_vendor_bills()
        bills = self.env["account.move"].search(
            [("company_id", "=", self.company.id), ("move_type", "=", "in_invoice")]
        )
        self.assertEqual(
            sorted(bills.mapped("ref")),
            ["OS-77120", "T-2041", "VUOKRA-05"],
            connection.bill_last_summary,
        )
