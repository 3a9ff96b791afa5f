# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Finnish demo company, created only by this addon's demo data.

Odoo's own demo company is American (USD, a 15 % tax, no Finnish business
IDs), which Procountor cannot take. When demo data is loaded and the Finnish
localisation (``l10n_fi``) is installed too, a Finnish company with the
Finnish chart of accounts, customers, products and posted invoices is set up
with a connection to the local Procountor simulator, and becomes the
administrator's current company. Without ``l10n_fi`` nothing happens.

The setup runs once every module of the run is loaded (``_register_hook``):
``l10n_fi`` is loaded after this addon when both are installed together, and
a chart of accounts must only be loaded into a complete registry.
"""

import logging

from odoo import Command, api, fields, models

_logger = logging.getLogger(__name__)

XMLID_PREFIX = "procountor_connector.demo_fi_"
# The simulator's default credentials and company bank account
# (procountor_simulator.simulator.DEFAULT_CREDENTIALS, seed.DEFAULT_IBAN).
SIMULATOR_CREDENTIALS = {
    "client_id": "sim-client-id",
    "client_secret": "sim-client-secret",
    "api_key": "sim-api-key",
    "redirect_uri": "http://127.0.0.1/procountor/callback",
}
SIMULATOR_IBAN = "FI2112345600000785"
SIMULATOR_URL = "http://127.0.0.1:8070/api"

COMPANY = {
    "name": "Pohjoisen Puu Oy",
    "street": "Satamakatu 3",
    "zip": "00160",
    "city": "Helsinki",
    "company_registry": "1234567-1",
    "vat": "FI12345671",
    "email": "laskutus@pohjoisenpuu.example",
    "phone": "+358 9 1234 5678",
}
# (xmlid suffix, values): Finnish business IDs with valid check digits.
CUSTOMERS = (
    ("customer_kalliotalo", {
        "name": "Kalliotalo Oy",
        "company_registry": "2345678-0",
        "vat": "FI23456780",
        "street": "Hämeenkatu 12",
        "zip": "33100",
        "city": "Tampere",
        "email": "ostolaskut@kalliotalo.example",
        "procountor_invoice_channel": "EMAIL",
    }),
    ("customer_revontuli", {
        "name": "Revontuli Rakennus Oy",
        "company_registry": "4567891-5",
        "vat": "FI45678915",
        "street": "Koskikatu 25",
        "zip": "96200",
        "city": "Rovaniemi",
        "email": "laskut@revontuli.example",
        "procountor_invoice_channel": "ELECTRONIC_INVOICE",
        "procountor_einvoice_address": "003745678915",
        "procountor_einvoice_operator": "003721291126",
    }),
    ("customer_saaristo", {
        "name": "Saariston Sisustus Oy",
        "company_registry": "5678912-7",
        "vat": "FI56789127",
        "street": "Aurakatu 8",
        "zip": "20100",
        "city": "Turku",
        "email": "talous@saaristo.example",
        "procountor_invoice_channel": "EMAIL",
    }),
)
# (xmlid suffix, values, l10n_fi sales tax): prices without VAT.
PRODUCTS = (
    ("product_installation", {
        "name": "Installation work",
        "default_code": "ASENNUS",
        "type": "service",
        "list_price": 68.0,
        "uom": "uom.product_uom_hour",
    }, "tax_dom_sales_service_25_5"),
    ("product_oak_table", {
        "name": "Oak dining table",
        "default_code": "POYTA-01",
        "type": "consu",
        "list_price": 890.0,
        "uom": "uom.product_uom_unit",
    }, "tax_dom_sales_goods_25_5"),
    ("product_pine_chair", {
        "name": "Pine chair",
        "default_code": "TUOLI-02",
        "type": "consu",
        "list_price": 129.0,
        "uom": "uom.product_uom_unit",
    }, "tax_dom_sales_goods_25_5"),
    ("product_woodwork_book", {
        "name": "Finnish woodwork handbook",
        "default_code": "KIRJA-01",
        "type": "consu",
        "list_price": 42.0,
        "uom": "uom.product_uom_unit",
    }, "tax_dom_sales_goods_14"),
)
# (xmlid suffix, customer, days before today, [(product, quantity)]).
INVOICES = (
    ("invoice_1", "customer_kalliotalo", 20,
     [("product_oak_table", 2), ("product_pine_chair", 8)]),
    ("invoice_2", "customer_revontuli", 12,
     [("product_installation", 6.5), ("product_pine_chair", 4)]),
    ("invoice_3", "customer_saaristo", 6,
     [("product_woodwork_book", 10), ("product_oak_table", 1)]),
    ("invoice_4", "customer_kalliotalo", 2,
     [("product_installation", 3)]),
)


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _procountor_demo_request(self):
        """Called by the demo data: set up the Finnish demo company once the
        registry is complete (see the module docstring)."""
        self.env.registry.procountor_demo_company_pending = True

    def _register_hook(self):
        result = super()._register_hook()
        registry = self.env.registry
        if getattr(registry, "procountor_demo_company_pending", False):
            del registry.procountor_demo_company_pending
            self.env["res.company"].sudo()._procountor_demo_setup()
        return result

    @api.model
    def _procountor_demo_ref(self, name):
        return self.env.ref(XMLID_PREFIX + name, raise_if_not_found=False)

    @api.model
    def _procountor_demo_setup(self):
        """Create the Finnish demo company and everything the demo needs;
        does nothing without ``l10n_fi`` or when it exists already."""
        l10n_fi = self.env["ir.module.module"].search(
            [("name", "=", "l10n_fi"), ("state", "=", "installed")]
        )
        if not l10n_fi:
            _logger.info(
                "Procountor demo: l10n_fi is not installed, no Finnish demo company."
            )
            return False
        if self._procountor_demo_ref("company"):
            return False
        env = self.env
        finland = env.ref("base.fi")
        euro = env.ref("base.EUR")
        euro.active = True
        values = {**COMPANY, "country_id": finland.id, "currency_id": euro.id}
        if "iap_enrich_auto_done" in env["res.company"]._fields:
            # partner_autocomplete would look the company up on the internet.
            values["iap_enrich_auto_done"] = True
        company = env["res.company"].create(values)
        admin = env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(company.id)], "company_id": company.id})
        env["account.chart.template"].try_loading("fi", company, install_demo=False)
        env = env(context=dict(env.context, allowed_company_ids=[company.id]))
        company = company.with_env(env)
        chart = env["account.chart.template"].with_company(company)
        # The chart ships the reduced rate of 14 % inactive; books and
        # magazines need it.
        for xmlid in ("tax_dom_sales_goods_14", "tax_dom_purchase_goods_14"):
            chart.ref(xmlid).active = True

        bank_account = env["res.partner.bank"].create(
            {
                "acc_number": SIMULATOR_IBAN,
                "partner_id": company.partner_id.id,
                "company_id": company.id,
                "allow_out_payment": True,
            }
        )
        journals = env["account.journal"].search([("company_id", "=", company.id)])
        bank_journal = journals.filtered(lambda journal: journal.type == "bank")[:1]
        bank_journal.bank_account_id = bank_account
        connection = env["procountor.connection"].create(
            {
                "name": "Procountor simulator (Pohjoisen Puu Oy)",
                "company_id": company.id,
                "environment": "custom",
                "custom_url": SIMULATOR_URL,
                **SIMULATOR_CREDENTIALS,
                "bank_account_id": bank_account.id,
                "payment_bank_journal_id": bank_journal.id,
                "payment_cash_journal_id": journals.filtered(
                    lambda journal: journal.type == "cash"
                )[:1].id,
                "bill_import_enabled": True,
                "bill_journal_id": journals.filtered(
                    lambda journal: journal.type == "purchase"
                )[:1].id,
                "bill_start_date": fields.Date.today().replace(month=1, day=1),
                "bill_state": "draft",
            }
        )
        company.procountor_connection_id = connection
        records = [
            ("company", company),
            ("bank_account", bank_account),
            ("connection", connection),
        ]

        partners = {}
        for key, values in CUSTOMERS:
            partners[key] = env["res.partner"].create(
                {
                    **values,
                    "is_company": True,
                    "country_id": finland.id,
                    "lang": "en_US",
                    "company_id": company.id,
                }
            )
            records.append((key, partners[key]))
        products = {}
        for key, values, tax in PRODUCTS:
            values = dict(values)
            uom = env.ref(values.pop("uom"))
            products[key] = env["product.product"].create(
                {
                    **values,
                    "company_id": company.id,
                    "uom_id": uom.id,
                    "uom_po_id": uom.id,
                    "taxes_id": [Command.set(chart.ref(tax).ids)],
                    "supplier_taxes_id": [Command.clear()],
                }
            )
            records.append((key, products[key]))
        today = fields.Date.context_today(self)
        sale_journal = journals.filtered(lambda journal: journal.type == "sale")[:1]
        # Finnish reference numbers (viitenumero), as Finnish invoices carry.
        sale_journal.invoice_reference_model = "fi"
        for key, customer, days_ago, lines in INVOICES:
            day = fields.Date.subtract(today, days=days_ago)
            move = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "journal_id": sale_journal.id,
                    "partner_id": partners[customer].id,
                    "invoice_date": day,
                    "partner_bank_id": bank_account.id,
                    "invoice_user_id": admin.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": products[product].id, "quantity": quantity}
                        )
                        for product, quantity in lines
                    ],
                }
            )
            move.action_post()
            records.append((key, move))

        env["ir.model.data"]._update_xmlids(
            [
                {"xml_id": XMLID_PREFIX + name, "record": record, "noupdate": True}
                for name, record in records
            ]
        )
        _logger.info("Procountor demo: Finnish demo company %s created.", company.name)
        return company

    @api.model
    def _procountor_demo_connect(self, api_url=None):
        """What a person would do first with the demo connection, for the demo
        command: point it at the running simulator, test it, fetch the VAT
        settings, and give the Finnish domestic purchase taxes of goods
        Procountor's domestic VAT status, so imported bills find one tax per
        VAT percent. Returns the connection."""
        connection = self._procountor_demo_ref("connection")
        if not connection:
            return connection
        if api_url:
            connection.custom_url = api_url
        connection.action_test_connection()
        connection.action_fetch_vat_settings()
        company = connection.company_id
        chart = self.env["account.chart.template"].with_company(company)
        domestic = connection.vat_status_ids.filtered(
            lambda status: status.code == 1 and status.purchase
        )
        if domestic:
            for xmlid in (
                "tax_dom_purchase_goods_25_5",
                "tax_dom_purchase_goods_14",
                "tax_dom_purchase_goods_10",
            ):
                tax = chart.ref(xmlid, raise_if_not_found=False)
                if tax:
                    tax.procountor_vat_status_id = domestic
        return connection
