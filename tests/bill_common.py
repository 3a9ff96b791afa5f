# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from unittest import SkipTest

from odoo import Command, fields

from .common import ProcountorCommon


class ProcountorBillCommon(ProcountorCommon):
    """A Finnish company on Odoo's Finnish chart (l10n_fi: its accounts, taxes
    and fiscal positions), like a Procountor customer's, with the VAT settings
    of the simulated Procountor company fetched and a connection that imports
    vendor bills. ``tax_255`` and ``tax_14`` are l10n_fi's domestic purchase
    taxes.

    A subclass with ``bill_chart_template = "generic_coa"`` runs on Odoo's
    generic chart instead, with the Procountor account numbers and purchase
    taxes at Finnish rates made here.
    """

    bill_chart_template = "fi"

    @classmethod
    def _finnish_chart(cls):
        return cls.bill_chart_template == "fi"

    @classmethod
    def _l10n_fi_tax(cls, xmlid):
        tax = (
            cls.env["account.chart.template"].with_company(cls.bill_company).ref(xmlid)
        )
        tax.active = True
        return tax

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        eur = cls.env.ref("base.EUR")
        eur.active = True
        cls.env.ref("base.USD").active = True
        if cls._finnish_chart():
            module = cls.env["ir.module.module"]._get("l10n_fi")
            if module.state != "installed":
                raise SkipTest("Odoo's Finnish localization (l10n_fi) is not installed")
        cls.bill_company = cls.env["res.company"].create(
            {
                "name": "Procountor Bills Oy",
                "country_id": cls.env.ref("base.fi").id,
                "currency_id": eur.id,
            }
        )
        cls.env["account.chart.template"].try_loading(
            cls.bill_chart_template, company=cls.bill_company, install_demo=False
        )
        cls.bill_company.currency_id = eur
        cls.env = cls.env(
            context=dict(cls.env.context, allowed_company_ids=cls.bill_company.ids)
        )
        (cls.accountant | cls.billing_user).write(
            {
                "company_ids": [Command.link(cls.bill_company.id)],
                "company_id": cls.bill_company.id,
            }
        )
        # Procountor's account numbers (API_NOTES §10) are Finnish ones: the
        # Finnish chart has them; on the generic chart (six digits) they are
        # created as they would be in Finland.
        Account = cls.env["account.account"].with_company(cls.bill_company)
        cls.accounts = {}
        for code, name in (
            ("4000", "Purchases"),
            ("6800", "Rents"),
            ("7680", "Other costs"),
        ):
            cls.accounts[code] = Account.search(
                [("code", "=", code), *Account._check_company_domain(cls.bill_company)]
            ) or Account.create(
                {
                    "code": code,
                    "name": name,
                    "account_type": "expense",
                    "company_ids": [Command.set(cls.bill_company.ids)],
                }
            )
        if cls._finnish_chart():
            cls.tax_255 = cls._l10n_fi_tax("tax_dom_purchase_goods_25_5")
            cls.tax_14 = cls._l10n_fi_tax("tax_dom_purchase_goods_14")
        else:
            tax_group = cls.env["account.tax.group"].create(
                {"name": "ALV", "company_id": cls.bill_company.id}
            )
            cls.tax_255, cls.tax_14 = cls.env["account.tax"].create(
                [
                    {
                        "name": name,
                        "amount": amount,
                        "amount_type": "percent",
                        "type_tax_use": "purchase",
                        "price_include_override": "tax_excluded",
                        "company_id": cls.bill_company.id,
                        "tax_group_id": tax_group.id,
                    }
                    for name, amount in (
                        ("ALV 25,5 % ostot", 25.5),
                        ("ALV 14 % ostot", 14.0),
                    )
                ]
            )
        cls.bill_journal = cls.env["account.journal"].search(
            [("type", "=", "purchase"), ("company_id", "=", cls.bill_company.id)],
            limit=1,
        )
        cls.project_plan = cls.env["account.analytic.plan"].create({"name": "Project"})
        cls.analytic_p100 = cls.env["account.analytic.account"].create(
            {
                "name": "P100",
                "plan_id": cls.project_plan.id,
                "company_id": cls.bill_company.id,
            }
        )
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.day = cls.today - timedelta(days=10)
        cls.bill_connection = cls.env["procountor.connection"].create(
            cls._connection_values(
                name="Procountor Bills",
                company_id=cls.bill_company.id,
                job_ids=[Command.create({"kind": "vendor_bills"})],
                bill_journal_id=cls.bill_journal.id,
                bill_start_date=cls.today - timedelta(days=60),
            )
        )
        # As Configuration step "Fetch VAT settings" leaves it.
        cls.bill_connection._procountor_store_vat_settings(cls.sim.vats_default, {})

    def _supplier(self, name="Toimittaja Oy", **fields_):
        """A SUPPLIER business partner in the simulator with a valid business ID."""
        identifier = fields_.pop("identifier", None) or self.sim.store.next_ytunnus()
        return self.sim.add_partner(
            name,
            type="SUPPLIER",
            identifier=identifier,
            address={
                "name": name,
                "street": "Tehdaskatu 3",
                "zip": "33100",
                "city": "Tampere",
                "country": "FINLAND",
            },
            **fields_,
        )

    def _run(self, connection=None):
        return (connection or self.bill_connection)._procountor_fetch_vendor_bills()

    def _bills(self, connection=None):
        return self.env["account.move"].search(
            [
                (
                    "procountor_connection_id",
                    "=",
                    (connection or self.bill_connection).id,
                )
            ],
            order="id",
        )

    def _summary(self, imported=0, skipped=0, changed=0, failed=0, details=()):
        head = (
            f"Vendor bills from Procountor: {imported} imported, {skipped} skipped "
            f"(already imported), {changed} changed after import, {failed} failed."
        )
        return "\n".join([head, *(f"- {line}" for line in details)])
