from odoo import models

_STANDARD = {
    "uom.product_uom_unit": "PIECE",
    "uom.product_uom_hour": "HOUR",
    "uom.product_uom_day": "DAY",
    "uom.product_uom_kgm": "KILOGRAM",
    "uom.product_uom_gram": "GRAM",
    "uom.product_uom_litre": "LITER",
    "uom.product_uom_meter": "METER",
    "uom.product_uom_km": "KILOMETER",
    "uom.product_uom_dozen": "DOZEN",
}


class UomUom(models.Model):
    _inherit = "uom.uom"

    def _procountor_unit(self):
        self.ensure_one()
        xmlid = self.get_external_id().get(self.id)
        return _STANDARD.get(xmlid, False)
