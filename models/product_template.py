# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # Procountor knows variants only; the product form shows a template, so
    # the ID of its single variant appears there the way Odoo shows the
    # internal reference.
    procountor_id = fields.Integer(
        string="Procountor ID",
        compute="_compute_procountor_id",
        inverse="_inverse_procountor_id",
        search="_search_procountor_id",
        help="This product's ID in the Procountor company of the current "
        "company's connection (products with variants: see each variant).",
    )

    @api.depends_context("company")
    @api.depends("product_variant_ids.procountor_link_ids")
    def _compute_procountor_id(self):
        single = self.filtered(lambda template: len(template.product_variant_ids) == 1)
        for template in self - single:
            template.procountor_id = 0
        for template in single:
            template.procountor_id = template.product_variant_ids.procountor_id

    def _inverse_procountor_id(self):
        for template in self:
            if len(template.product_variant_ids) == 1:
                template.product_variant_ids.procountor_id = template.procountor_id

    def _search_procountor_id(self, operator, value):
        return [("product_variant_ids", "any", [("procountor_id", operator, value)])]
