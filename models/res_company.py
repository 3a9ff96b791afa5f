# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError

from .procountor_demo import (
    COMPANY,
    CUSTOMERS,
    INVOICES,
    PRODUCTS,
    SIMULATOR_CREDENTIALS,
    SIMULATOR_IBAN,
    SIMULATOR_URL,
    XMLID_PREFIX,
)

_logger = logging.getLogger(__name__)


class ResCompany(models.Model):
    _inherit = "res.company"

    procountor_connection_id = fields.Many2one(
        "procountor.connection",
        domain="[('company_id', '=', id)]",
        help="The Procountor company this Odoo company sends its invoices to.",
    )

    @api.constrains("procountor_connection_id")
    def _check_procountor_connection_company(self):
        for company in self:
            connection = company.sudo().procountor_connection_id
            if connection and connection.company_id != company:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the Procountor connection %(connection)s "
                        "belongs to %(other)s; choose a connection of this company.",
                        company=company.name,
                        connection=connection.name,
                        other=connection.company_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # The Finnish demo company (models/procountor_demo.py)
    # ------------------------------------------------------------------
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
        admin.write(
            {"company_ids": [Command.link(company.id)], "company_id": company.id}
        )
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
                "job_ids": [Command.create({"kind": "vendor_bills"})],
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
