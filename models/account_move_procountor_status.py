# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Procountor's invoice status in words (API_NOTES §4.5, Appendix A)."""

from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    procountor_status_text = fields.Char(
        string="Status in Procountor",
        compute="_compute_procountor_status_text",
        help="The invoice's status in Procountor as last seen.",
    )

    def _procountor_status_words(self):
        """{Procountor status: what it means for a sales invoice, in words}."""
        return {
            "UNFINISHED": self.env._("Unfinished, not approved"),
            "NOT_SENT": self.env._("Approved, not delivered"),
            "SENT": self.env._("Approved and delivered"),
            "RECEIVED": self.env._("Received"),
            "VERIFIED": self.env._("Verified"),
            "APPROVED": self.env._("Approved"),
            "PAYMENT_QUEUED": self.env._("Payment queued"),
            "PAYMENT_SENT_TO_BANK": self.env._("Payment sent to the bank"),
            "PARTLY_PAID": self.env._("Partly paid"),
            "PAID": self.env._("Paid"),
            "MARKED_PAID": self.env._("Marked as paid"),
            "PAYMENT_DENIED": self.env._("Payment denied"),
            "INVALIDATED": self.env._("Invalidated"),
            "DELETED": self.env._("Deleted"),
        }

    @api.depends("procountor_status")
    def _compute_procountor_status_text(self):
        words = self._procountor_status_words()
        for move in self:
            status = move.procountor_status or ""
            move.procountor_status_text = words.get(status) or (
                status.replace("_", " ").capitalize() or False
            )
