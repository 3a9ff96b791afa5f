# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProcountorConnection(models.Model):
    """Business partner and product registers (API_NOTES §7, §9) of a connection."""

    _inherit = "procountor.connection"

    create_customers = fields.Boolean(
        string="Create Customers in Procountor",
        default=True,
        help="When an invoice is sent for a customer without a Procountor ID, "
        "look the customer up in Procountor by business ID and name and link "
        "it, or else create it there. Off: such invoices are not sent and say "
        "which customer lacks an ID.",
    )
    create_products = fields.Boolean(
        string="Create Products in Procountor",
        default=True,
        help="When an invoice is sent with a product without a Procountor ID, "
        "look the product up in Procountor by code and name and link it, or "
        "else create it there. Off: such invoices are not sent and say which "
        "product lacks an ID.",
    )

    def action_open_partner_import(self):
        """Fetch the Procountor customers not linked yet and open the wizard
        with its suggestions (a failed fetch shows its sentence there)."""
        self.ensure_one()
        wizard = self.env["procountor.partner.import"].create({"connection_id": self.id})
        if wizard._fetch():
            wizard._match()
        return wizard._action_reopen()

    def action_open_product_import(self):
        """Fetch the Procountor sales products not linked yet and open the
        wizard with its suggestions."""
        self.ensure_one()
        wizard = self.env["procountor.product.import"].create({"connection_id": self.id})
        if wizard._fetch():
            wizard._match()
        return wizard._action_reopen()
