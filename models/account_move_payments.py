# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import Counter

from odoo import models

from .procountor_connection_payments import COUNT_KEYS


class AccountMove(models.Model):
    _inherit = "account.move"

    def action_procountor_fetch_payments(self):
        """Button and list action: fetch the Procountor payments of these invoices.

        Only invoices sent to Procountor and not yet paid in Odoo are checked,
        whatever the connection's date window. Returns a notification with the
        counts; errors of single invoices are stored on them, never raised.
        """
        self.env["account.payment"].check_access("create")
        counts = Counter(dict.fromkeys(COUNT_KEYS, 0))
        failures = []
        eligible = 0
        for connection, moves in self.grouped("procountor_connection_id").items():
            if not connection:
                continue
            moves = moves.filtered_domain(connection._procountor_payment_domain())
            if not moves:
                continue
            eligible += len(moves)
            connection = connection.with_company(connection.company_id)
            run_counts, failure = connection._procountor_fetch_payments(moves)
            counts.update(run_counts)
            if failure:
                failures.append(failure)
        return self.env["procountor.connection"]._procountor_payment_notification(
            counts, failures, skipped=len(self) - eligible
        )
