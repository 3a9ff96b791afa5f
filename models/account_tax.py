# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountTax(models.Model):
    _inherit = "account.tax"

    procountor_vat_status_id = fields.Many2one(
        "procountor.vat.status",
        string="Procountor VAT Status",
        domain="[('connection_id.company_id', '=', company_id)]",
        help="The VAT status of invoice rows with this tax, e.g. EU sales of "
        "services; it overrides the status of the invoice's fiscal position. "
        "Empty: the row follows the invoice.",
    )
