# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .procountor_connection import INVOICE_CHANNELS


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "procountor.link.mixin"]

    procountor_link_ids = fields.One2many(
        "procountor.partner.link", "partner_id", string="Procountor IDs"
    )
    procountor_customer_id = fields.Integer(
        string="Procountor Customer ID",
        compute="_compute_procountor_ids",
        search="_search_procountor_customer_id",
        help="This contact's customer ID in the Procountor company of the "
        "current company's connection.",
    )
    procountor_supplier_id = fields.Integer(
        string="Procountor Supplier ID",
        compute="_compute_procountor_ids",
        search="_search_procountor_supplier_id",
    )
    procountor_einvoice_address = fields.Char(
        string="E-invoice Address",
        help="The receiver's e-invoice address (OVT / EDI identifier or IBAN).",
    )
    procountor_einvoice_operator = fields.Char(
        string="E-invoice Operator",
        help="The receiver's e-invoice operator (intermediator) code, "
        "required for Finnish receivers.",
    )
    procountor_invoice_channel = fields.Selection(
        INVOICE_CHANNELS,
        help="How Procountor delivers this customer's invoices; empty uses the "
        "connection's default.",
    )

    @api.depends_context("company")
    @api.depends("procountor_link_ids")
    def _compute_procountor_ids(self):
        connection = self.env.company.procountor_connection_id
        customers = suppliers = {}
        if connection and self.ids:
            customers = self._procountor_get_ids(connection, "CUSTOMER")
            suppliers = self._procountor_get_ids(connection, "SUPPLIER")
        for partner in self:
            partner.procountor_customer_id = customers.get(partner.id, 0)
            partner.procountor_supplier_id = suppliers.get(partner.id, 0)

    def _procountor_search_links(self, partner_type, operator, value):
        connection = self.env.company.procountor_connection_id
        link_domain = [
            ("connection_id", "=", connection.id),
            ("partner_type", "=", partner_type),
        ]
        if operator in ("=", "!=") and not value:
            # "has no ID" / "has an ID"
            return [
                ("procountor_link_ids", "not any" if operator == "=" else "any", link_domain)
            ]
        return [
            ("procountor_link_ids", "any", link_domain + [("procountor_id", operator, value)])
        ]

    def _search_procountor_customer_id(self, operator, value):
        return self._procountor_search_links("CUSTOMER", operator, value)

    def _search_procountor_supplier_id(self, operator, value):
        return self._procountor_search_links("SUPPLIER", operator, value)
