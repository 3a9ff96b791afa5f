# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ProcountorVatStatus(models.Model):
    """A VAT status enabled in the Procountor company (API_NOTES §8).

    Filled by "Fetch VAT settings"; fiscal positions and taxes select from
    these, so the numbers are never typed by hand.
    """

    _name = "procountor.vat.status"
    _description = "Procountor VAT Status"
    _order = "connection_id, code"

    connection_id = fields.Many2one(
        "procountor.connection", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    code = fields.Integer(required=True, help="Procountor's vatStatus number.")
    name = fields.Char(string="Description", required=True)
    sales = fields.Boolean()
    purchase = fields.Boolean()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "code_connection_unique",
            "UNIQUE(connection_id, code)",
            "A VAT status appears once per Procountor connection.",
        ),
    ]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for status in self:
            status.display_name = f"{status.code} - {status.name}"


class ProcountorVatRate(models.Model):
    """A VAT percentage enabled in the Procountor company for one country."""

    _name = "procountor.vat.rate"
    _description = "Procountor VAT Rate"
    _order = "connection_id, procountor_country, percent desc"
    _rec_name = "percent"

    connection_id = fields.Many2one(
        "procountor.connection", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    procountor_country = fields.Char(
        required=True,
        help="The country as Procountor names it, e.g. FINLAND.",
    )
    country_id = fields.Many2one("res.country")
    percent = fields.Float(string="VAT %", required=True, digits=(5, 2))
    sales = fields.Boolean()
    purchase = fields.Boolean()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "rate_connection_unique",
            "UNIQUE(connection_id, procountor_country, percent)",
            "A VAT rate appears once per country and Procountor connection.",
        ),
    ]

    @api.depends("percent", "procountor_country", "country_id")
    def _compute_display_name(self):
        for rate in self:
            country = rate.country_id.code or rate.procountor_country
            rate.display_name = f"{rate.percent:g} % ({country})"
