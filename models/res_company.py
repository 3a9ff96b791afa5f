# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


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
