# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "procountor.link.mixin"]

    procountor_link_ids = fields.One2many(
        "procountor.product.link", "product_id", string="Procountor IDs"
    )
    procountor_id = fields.Integer(
        string="Procountor ID",
        compute="_compute_procountor_id",
        search="_search_procountor_id",
        help="This product's ID in the Procountor company of the current "
        "company's connection.",
    )

    @api.depends_context("company")
    @api.depends("procountor_link_ids")
    def _compute_procountor_id(self):
        connection = self.env.company.procountor_connection_id
        ids = self._procountor_get_ids(connection) if connection and self.ids else {}
        for product in self:
            product.procountor_id = ids.get(product.id, 0)

    def _search_procountor_id(self, operator, value):
        connection = self.env.company.procountor_connection_id
        link_domain = [("connection_id", "=", connection.id)]
        if operator in ("=", "!=") and not value:
            return [
                ("procountor_link_ids", "not any" if operator == "=" else "any", link_domain)
            ]
        return [
            ("procountor_link_ids", "any", link_domain + [("procountor_id", operator, value)])
        ]
