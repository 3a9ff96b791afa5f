# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..procountor_api.enums import UNITS, unit_label


class UomUom(models.Model):
    _inherit = "uom.uom"

    procountor_unit = fields.Selection(
        [(code, unit_label(code)) for code in UNITS],
        help="The unit Procountor shows on invoice rows and products for this "
        "unit of measure. Empty sends no unit for products and NO_UNIT on "
        "invoice rows.",
    )

    def _procountor_unit(self):
        """This unit's Procountor unit code (API_NOTES Appendix D), or False."""
        self.ensure_one()
        return self.procountor_unit or False
