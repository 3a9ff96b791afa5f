# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

from ..models.account_move_send import PROCOUNTOR


class AccountMoveSendWizard(models.TransientModel):
    """Odoo's Send dialog for one invoice, with *by Procountor*."""

    _inherit = "account.move.send.wizard"

    def _compute_sending_method_checkboxes(self):
        # An invoice Procountor already has (or is about to get) shows why
        # the method cannot be ticked instead of hiding it.
        res = super()._compute_sending_method_checkboxes()
        states = dict(
            self.env["account.move"]
            ._fields["procountor_state"]
            ._description_selection(self.env)
        )
        for wizard in self:
            checkbox = (wizard.sending_method_checkboxes or {}).get(PROCOUNTOR)
            move = wizard.move_id
            if not checkbox or move.procountor_state not in (
                "to_send",
                "sending",
                "sent",
            ):
                continue
            wizard.sending_method_checkboxes = {
                **wizard.sending_method_checkboxes,
                PROCOUNTOR: {
                    **checkbox,
                    "checked": False,
                    "readonly": True,
                    "label": self.env._(
                        "%(method)s (%(state)s)",
                        method=checkbox["label"],
                        state=states[move.procountor_state],
                    ),
                },
            }
        return res

    def action_send_and_print(self, allow_fallback_pdf=False):
        """Send as chosen; with Procountor ticked, end on a notification
        saying how the sending went (the invoice shows it too)."""
        self.ensure_one()
        procountor = PROCOUNTOR in (self.sending_methods or [])
        move = self.move_id
        result = super().action_send_and_print(allow_fallback_pdf=allow_fallback_pdf)
        if not procountor:
            return result
        return self._procountor_outcome_notification(move, result)
