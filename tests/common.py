# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..procountor_simulator import DEFAULT_CREDENTIALS, Simulator, SimulatorServer
from ..procountor_simulator.seed import DEFAULT_IBAN


class ProcountorCommon(TransactionCase):
    """A Procountor simulator on 127.0.0.1 (free port) and a connection to it.

    The simulator lives for the class; its state is reset before each test,
    since the database rolls back between tests but the simulator does not.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = Simulator()
        cls.server = SimulatorServer(cls.sim, host="127.0.0.1", port=0)
        cls.server.start()
        cls.addClassCleanup(cls.server.stop)
        Connection = cls.env["procountor.connection"]
        # Retry pauses would only slow the suite down (the pure tests cover
        # them), and Odoo's test HTTP guard accepts only a single number as
        # timeout, so the (connect, read) pair becomes one value here.
        cls.startClassPatcher(
            patch.object(
                type(Connection),
                "_procountor_client_options",
                lambda self: {"sleep": lambda seconds: None, "timeout": 10},
            )
        )
        cls.company = cls.env.company
        cls.connection = Connection.create(cls._connection_values())
        cls.accountant = new_test_user(
            cls.env,
            login="procountor_accountant",
            groups="account.group_account_manager",
            company_id=cls.company.id,
        )
        cls.billing_user = new_test_user(
            cls.env,
            login="procountor_billing",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
        )

    @classmethod
    def _connection_values(cls, **values):
        return {
            "name": "Simulated Procountor",
            "company_id": cls.company.id,
            "environment": "custom",
            "custom_url": cls.server.base_url,
            "client_id": DEFAULT_CREDENTIALS["client_id"],
            "client_secret": DEFAULT_CREDENTIALS["client_secret"],
            "api_key": DEFAULT_CREDENTIALS["api_key"],
            "redirect_uri": DEFAULT_CREDENTIALS["redirect_uri"],
            **values,
        }

    def setUp(self):
        super().setUp()
        self.sim.reset()
        # Cached clients keep tokens the reset simulator no longer knows.
        self.env["procountor.connection"]._procountor_forget_clients()

    def assertNoSecretsIn(self, texts):
        secrets = [
            DEFAULT_CREDENTIALS["client_secret"],
            DEFAULT_CREDENTIALS["api_key"],
        ]
        for text in texts:
            for secret in secrets:
                self.assertNotIn(secret, text or "")


class ProcountorInvoiceCommon(ProcountorCommon, AccountTestInvoicingCommon):
    """A Finnish test company with a 25.5 % sales tax, its IBAN, and a
    customer and products already linked to the simulator's registers.

    The company is set up with Odoo's Finnish localization (l10n_fi: chart,
    taxes, fiscal positions), as a real Procountor customer's would be, and
    the tests use its own taxes. A subclass with ``chart_template =
    "generic_coa"`` runs the same tests on Odoo's generic chart with taxes
    made here (``tax_255`` and ``tax_14`` either way).
    """

    country_code = "FI"

    @classmethod
    def _finnish_chart(cls):
        return cls.env.company.chart_template == "fi"

    @classmethod
    def _l10n_fi_tax(cls, xmlid, company=None):
        """One of l10n_fi's taxes of the company (archived ones are unarchived)."""
        company = company or cls.env.company
        tax = cls.env["account.chart.template"].with_company(company).ref(xmlid)
        tax.active = True
        return tax

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        finland = cls.env.ref("base.fi")
        cls.company.write(
            {"country_id": finland.id, "account_fiscal_country_id": finland.id}
        )
        cls.company.procountor_connection_id = cls.connection
        cls.connection._procountor_store_vat_settings(cls.sim.vats_default, {})
        cls.iban = DEFAULT_IBAN
        cls.company_bank = cls.env["res.partner.bank"].create(
            {"acc_number": cls.iban, "partner_id": cls.company.partner_id.id}
        )
        cls.connection.bank_account_id = cls.company_bank
        if cls._finnish_chart():
            cls.tax_255 = cls._l10n_fi_tax("tax_dom_sales_goods_25_5")
            cls.tax_14 = cls._l10n_fi_tax("tax_dom_sales_goods_14")
        else:
            tax_group = cls.env["account.tax.group"].create(
                {"name": "ALV", "country_id": finland.id, "company_id": cls.company.id}
            )
            cls.tax_255 = cls.env["account.tax"].create(
                {
                    "tax_group_id": tax_group.id,
                    "name": "VAT 25.5%",
                    "amount": 25.5,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "company_id": cls.company.id,
                    "country_id": finland.id,
                }
            )
            cls.tax_14 = cls.tax_255.copy({"name": "VAT 14%", "amount": 14.0})
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Asiakas Oy",
                "is_company": True,
                "street": "Mannerheimintie 1",
                "zip": "00100",
                "city": "Helsinki",
                "country_id": finland.id,
                "email": "laskut@asiakas.example",
                "company_registry": "2345678-0",
                "vat": "FI23456780",
                "ref": "C-100",
                "lang": "en_US",
            }
        )
        cls.product_a = cls.env["product.product"].create(
            {"name": "Consulting", "default_code": "CONS", "list_price": 100.0}
        )
        cls.product_b = cls.env["product.product"].create(
            {"name": "Support", "default_code": "SUPP", "list_price": 40.0}
        )

    def setUp(self):
        super().setUp()
        # The simulator forgets its registers on reset; link again to fresh ones.
        remote_customer = self.sim.add_partner("Asiakas Oy", identifier="2345678-0")
        self.customer._procountor_set_id(self.connection, remote_customer["id"])
        for product in (self.product_a, self.product_b):
            remote = self.sim.add_product(product.name, code=product.default_code)
            product._procountor_set_id(self.connection, remote["id"])

    def _invoice(self, lines=None, post=True, move_type="out_invoice", **values):
        lines = lines or [
            {"product": self.product_a, "price_unit": 100.0, "quantity": 2}
        ]
        move = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": self.customer.id,
                "invoice_date": "2026-11-20",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": line["product"].id,
                            "name": line.get("name", line["product"].name),
                            "quantity": line.get("quantity", 1),
                            "price_unit": line["price_unit"],
                            "discount": line.get("discount", 0.0),
                            "tax_ids": [
                                Command.set(line.get("taxes", self.tax_255).ids)
                            ],
                        }
                    )
                    for line in lines
                ],
                **values,
            }
        )
        if post:
            move.action_post()
        return move

    def _remote(self, move):
        invoices = self.sim.invoices(originalInvoiceNumber=move.name)
        self.assertEqual(
            len(invoices), 1, "exactly one Procountor invoice per Odoo invoice"
        )
        return invoices[0]
