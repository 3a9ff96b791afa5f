# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

from ..models.account_move_send import PROCOUNTOR


class AccountMoveSendBatchWizard(models.TransientModel):
    """Odoo's Send dialog for several invoices: those of customers who get
    their invoices by Procountor join the connector's queue."""

    _inherit = "account.move.send.batch.wizard"

    def action_send_and_print(self, force_synchronous=False, allow_fallback_pdf=False):
        self.ensure_one()
        if force_synchronous:
            # Straight through account.move.send, which queues them as well.
            return super().action_send_and_print(
                force_synchronous=force_synchronous,
                allow_fallback_pdf=allow_fallback_pdf,
            )
        procountor_moves = self.move_ids.filtered(
            lambda move: (
                self._get_default_sending_method(move) == PROCOUNTOR
                and self._is_applicable_to_move(PROCOUNTOR, move)
            )
        )
        if not procountor_moves:
            return super().action_send_and_print(allow_fallback_pdf=allow_fallback_pdf)
        if self.alerts:
            self._raise_danger_alerts(self.alerts)
        notification = procountor_moves._procountor_queue()
        others = self.move_ids - procountor_moves
        next_action = {"type": "ir.actions.act_window_close"}
        if others:
            # Odoo's own background sending for the rest (e-mail, download).
            self.move_ids = others
            next_action = super().action_send_and_print(
                allow_fallback_pdf=allow_fallback_pdf
            )
        notification["params"]["next"] = next_action
        return notification
