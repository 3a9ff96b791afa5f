# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..procountor_api.payloads import DOMESTIC_VAT_STATUS


class AccountFiscalPosition(models.Model):
    _inherit = "account.fiscal.position"

    procountor_vat_status_id = fields.Many2one(
        "procountor.vat.status",
        string="Procountor VAT Status",
        domain="[('connection_id.company_id', '=', company_id), ('sales', '=', True)]",
        help="The invoice-level VAT status of invoices with this fiscal "
        "position (Fetch VAT settings on the connection lists them). Empty "
        "means Domestic.",
    )
    procountor_vat_country_id = fields.Many2one(
        "res.country",
        string="Procountor VAT Country",
        help="Only when the company reports VAT in another country through "
        "Procountor (agreed with Procountor): invoices with this fiscal "
        "position are then booked in that country's VAT, always with the "
        "Domestic VAT status.",
    )

    @api.constrains("procountor_vat_status_id", "procountor_vat_country_id")
    def _check_procountor_vat_country(self):
        # API_NOTES §4.1 vatCountry: foreign VAT is reported as that
        # country's domestic VAT.
        for position in self:
            status = position.procountor_vat_status_id
            if (
                position.procountor_vat_country_id
                and status
                and status.code != DOMESTIC_VAT_STATUS
            ):
                raise ValidationError(
                    self.env._(
                        "Fiscal position %(position)s: with a Procountor VAT "
                        "Country the Procountor VAT Status must be Domestic "
                        "(or empty), not %(status)s.",
                        position=position.display_name,
                        status=status.display_name,
                    )
                )
