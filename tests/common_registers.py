# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import new_test_user

from .common import ProcountorCommon


class ProcountorRegistersCommon(ProcountorCommon):
    """The simulator connection as the company's connection, users who may
    edit contacts with and without accounting manager rights, and taxes and a
    payment term the mapping can find."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.procountor_connection_id = cls.connection
        cls.connection._procountor_store_vat_settings(cls.sim.vats_default, {})
        cls.finland = cls.env.ref("base.fi")
        # Contact creation comes with every internal user by default in
        # Odoo; the accounting groups alone do not give it.
        cls.manager = new_test_user(
            cls.env,
            login="procountor_registers_manager",
            groups="account.group_account_manager,base.group_partner_manager",
            company_id=cls.company.id,
        )
        cls.clerk = new_test_user(
            cls.env,
            login="procountor_registers_clerk",
            groups="account.group_account_invoice,base.group_partner_manager",
            company_id=cls.company.id,
        )
        Tax = cls.env["account.tax"]
        cls.tax_25_5 = Tax.create(
            {
                "name": "Procountor test 25.5 %",
                "amount": 25.5,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.tax_14, cls.tax_14_other = Tax.create(
            [
                {
                    "name": f"Procountor test 14 % ({kind})",
                    "amount": 14,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "company_id": cls.company.id,
                }
                for kind in ("food", "restaurants")
            ]
        )
        cls.term_14_days = cls.env["account.payment.term"].create(
            {
                "name": "14 days net",
                "company_id": cls.company.id,
                "line_ids": [
                    (
                        0,
                        0,
                        {"value": "percent", "value_amount": 100, "nb_days": 14},
                    )
                ],
            }
        )

    def _company(self, name, **values):
        return self.env["res.partner"].create(
            {"name": name, "is_company": True, **values}
        )
