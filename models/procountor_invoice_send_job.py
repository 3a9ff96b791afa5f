# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The queue and the scheduled send: ``procountor.invoice.send.job``.

Composed into ``account.move`` (see models/account_move.py), so ``self`` is
the invoice. The Send to Procountor button sends one invoice at once
(``_procountor_send_now``: locked, one attempt, a short deadline); several
are queued (``_procountor_queue``) for the scheduled job
``_cron_procountor_send_invoices`` (data/ir_cron.xml), which takes the
invoices of ``_procountor_due_domain`` a slice at a time and sends them
with ``_procountor_send_concurrently``: the steps of
models/procountor_invoice_send.py, with several invoices' requests in
flight at once. The grace period of a create whose answer was lost
(``_procountor_grace_end``) says when the job may take such an invoice
again; an invoice left in Sending after it (``_procountor_is_stuck``) is
released to Needs check by ``_procountor_release_stuck``.
"""

from concurrent.futures import FIRST_COMPLETED, wait
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from .procountor_client import _SINK
from .procountor_invoice_send import _KNOWN_IDS

# How long a create request whose outcome is unknown blocks any new create,
# counted from when the connector started the request. The client gives up
# waiting after its read timeout (30 s) while Procountor may still be storing
# the invoice, and repeats a create only when it was refused before being
# handled (connection refused, 429): one create spends at most about 5 1/2
# minutes in the client (4 attempts of 5 s connect + 30 s read, and up to
# three Retry-After pauses of at most 60 s). Ten minutes leaves Procountor
# more than 4 minutes beyond that to finish storing a slow create; an invoice
# it does not show by then was not created.
PROCOUNTOR_CREATE_GRACE = timedelta(minutes=10)
# The scheduled job looks at an unresolved invoice again at most this often.
PROCOUNTOR_RECHECK_INTERVAL = timedelta(minutes=50)
# Requests the scheduled job keeps in flight while sending: Procountor takes
# 20 requests/second (API_NOTES §3.8). Besides the answer's latency a request
# holds its thread for the throttle's own database round trips and while
# waiting for the interpreter (at 200 ms latency, about 0.35 s in all), so
# 10 in flight reach the budget up to about half a second per request. The
# throttle keeps them within the budget.
PROCOUNTOR_SEND_IN_FLIGHT = 10


class ProcountorInvoiceSendJob(models.AbstractModel):
    _name = "procountor.invoice.send.job"
    _description = "Procountor Invoice Send Job"

    # ------------------------------------------------------------------
    # The grace period of a create whose outcome is unknown
    # ------------------------------------------------------------------

    @api.model
    def _procountor_create_grace(self):
        return PROCOUNTOR_CREATE_GRACE

    @api.model
    def _procountor_recheck_interval(self):
        return PROCOUNTOR_RECHECK_INTERVAL

    def _procountor_grace_end(self):
        self.ensure_one()
        start = self.procountor_create_attempt_date
        if not start and (
            self.procountor_create_attempted or self.procountor_state == "sending"
        ):
            # Left by a version that did not record the attempt: its last
            # change is the latest the request can have started.
            start = self.write_date
        if not start:
            return False
        return start + self._procountor_create_grace()

    def _procountor_pin_attempt(self):
        """Record the start of an attempt a former version left unrecorded,
        before the connector's own writes move the last change."""
        for move in self:
            if not move.procountor_create_attempt_date and (
                move.procountor_create_attempted or move.procountor_state == "sending"
            ):
                move._procountor_write(
                    {"procountor_create_attempt_date": move.write_date}
                )

    def _procountor_in_grace(self, now=None):
        end = self._procountor_grace_end()
        return bool(end) and (now or fields.Datetime.now()) < end

    def _procountor_is_stuck(self, now=None):
        """Left in Sending longer than the grace period: the worker that
        sent it stopped before it could record how it went."""
        self.ensure_one()
        return self.procountor_state == "sending" and not self._procountor_in_grace(now)

    def _procountor_when(self, value):
        return format_datetime(self.env, value, dt_format="short") if value else "-"

    def _procountor_release_stuck(self):
        """Turn invoices stuck in Sending into Needs check, with a note: the
        next send looks them up in Procountor before creating anything.
        Returns the released invoices."""
        now = fields.Datetime.now()
        self._procountor_pin_attempt()
        stuck = self.filtered(lambda move: move._procountor_is_stuck(now))
        for move in stuck:
            move._procountor_fail(
                self.env._(
                    "Invoice %(move)s: sending to Procountor stopped unfinished (the "
                    "request left at %(when)s); the next send first looks it up in "
                    "Procountor, so it is not created twice.",
                    move=move._procountor_label(),
                    when=move._procountor_when(move.procountor_create_attempt_date),
                ),
                state="needs_check",
            )
        return stuck

    def _procountor_schedule_check(self):
        """Have the scheduled job resolve this invoice when its grace
        period is over."""
        end = self._procountor_grace_end()
        if end:
            self.env.ref(
                "procountor_connector.ir_cron_procountor_send_invoices"
            ).sudo()._trigger(at=end + timedelta(seconds=30))

    # ------------------------------------------------------------------
    # The button, the queue and the scheduled job
    # ------------------------------------------------------------------

    def _procountor_send_now(self):
        self.ensure_one()
        skip = self._procountor_skip_reason()
        if skip:
            return self._procountor_notification(
                self.env._(
                    "Nothing was sent to Procountor: %(reason)s.",
                    reason=skip,
                ),
                "warning",
            )
        if self.procountor_state == "sent":
            raise UserError(
                self.env._(
                    "Invoice %(move)s was already sent to Procountor (number "
                    "%(number)s).",
                    move=self.name,
                    number=self.procountor_number or self.procountor_id,
                )
            )
        if not self._procountor_try_lock():
            raise UserError(
                self.env._(
                    "Invoice %(move)s is being sent to Procountor right now; try "
                    "again in a minute.",
                    move=self.name,
                )
            )
        try:
            self.invalidate_recordset()
            self._procountor_release_stuck()
            # The user waits: one attempt per call and a short deadline.
            self.with_context(procountor_interactive=True)._procountor_send_one()
        finally:
            self._procountor_unlock()
        return self._procountor_outcome_notification()

    def _procountor_queue(self):
        self.check_access("write")
        self._procountor_release_stuck()
        sendable = self.filtered(
            lambda move: (
                not move._procountor_skip_reason()
                and move.procountor_state in ("not_sent", "error", "needs_check")
            )
        )
        skipped = self - sendable
        if sendable:
            batch = self.env["procountor.send.batch"].create(
                {"user_id": self.env.uid, "move_count": len(sendable)}
            )
            sendable._procountor_write(
                {"procountor_state": "to_send", "procountor_batch_id": batch.id}
            )
            self.env.ref(
                "procountor_connector.ir_cron_procountor_send_invoices"
            )._trigger()
        if len(sendable) == 1:
            message = self.env._(
                "%(invoice)s queued for Procountor; you will be notified when it "
                "has been sent.",
                invoice=sendable.name,
            )
        else:
            message = self.env._(
                "%(count)s invoices queued for Procountor; you will be notified when "
                "they have been sent.",
                count=len(sendable),
            )
        if skipped:
            reasons = [move._procountor_queue_skip_reason() for move in skipped[:10]]
            if len(skipped) > 10:
                reasons.append(
                    self.env._("and %(count)s more", count=len(skipped) - 10)
                )
            message += " " + self.env._(
                "%(count)s skipped: %(reasons)s.",
                count=len(skipped),
                reasons="; ".join(reasons),
            )
        return self._procountor_notification(message, "info" if sendable else "warning")

    def _procountor_queue_skip_reason(self):
        self.ensure_one()
        reason = self._procountor_skip_reason()
        if reason:
            return reason
        if self.procountor_state == "sent":
            return self.env._(
                "%(move)s was already sent (number %(number)s)",
                move=self.name,
                number=self.procountor_number or self.procountor_id,
            )
        return self.env._("%(move)s is already queued or being sent", move=self.name)

    @api.model
    def _procountor_due_domain(self, now):
        """Invoices the scheduled job takes on: queued ones, and those
        needing a check whose grace period is over and that it has not
        looked at recently."""
        grace_over = now - self._procountor_create_grace()
        recheck = now - self._procountor_recheck_interval()
        return [
            "|",
            ("procountor_state", "=", "to_send"),
            "&",
            "&",
            ("procountor_state", "=", "needs_check"),
            "|",
            ("procountor_create_attempt_date", "=", False),
            ("procountor_create_attempt_date", "<=", grace_over),
            "|",
            ("procountor_check_date", "=", False),
            ("procountor_check_date", "<=", recheck),
        ]

    @api.model
    def _cron_procountor_send_invoices(self, batch_size=100):
        """Send queued invoices a slice at a time, committing after each
        step of each, and let the scheduler run again at once while some
        remain. A slice is large next to the requests in flight: at its end
        fewer and fewer invoices have a request left to make. Invoices left
        in Sending by a stopped worker become Needs check; those needing a
        check are resolved once their grace period is over (looked up and
        linked, or sent)."""
        now = fields.Datetime.now()
        stuck = self.search(
            [
                ("procountor_state", "=", "sending"),
                "|",
                ("procountor_create_attempt_date", "=", False),
                (
                    "procountor_create_attempt_date",
                    "<",
                    now - self._procountor_create_grace(),
                ),
            ],
            order="id",
        )
        for move in stuck:
            if move._procountor_try_lock():
                try:
                    move.invalidate_recordset()
                    move._procountor_release_stuck()
                finally:
                    move._procountor_unlock()
        domain = self._procountor_due_domain(now)
        moves = self.search(domain, limit=batch_size, order="id")
        remaining = self.search_count(domain) - len(moves)
        # Another worker has the ones not locked.
        held = set(moves.filtered(lambda move: move._procountor_try_lock()).ids)

        def release(move):
            held.discard(move.id)
            move._procountor_unlock()
            move._procountor_commit()

        try:
            # A new transaction, begun after the locks were granted: it sees
            # whatever the worker that held one committed before letting go.
            self._procountor_commit()
            locked = self.browse(sorted(held))
            locked.invalidate_recordset()
            due = self.browse()
            for move in locked:
                if move.procountor_state == "needs_check":
                    move._procountor_pin_attempt()
                    move._procountor_write({"procountor_check_date": now})
                    due |= move
                elif move.procountor_state == "to_send":
                    due |= move
                else:
                    release(move)
            due._procountor_send_concurrently(on_done=release)
        finally:
            for move in self.browse(sorted(held)):
                move._procountor_unlock()
        self.env["ir.cron"]._notify_progress(done=len(moves), remaining=remaining)
        moves.procountor_batch_id._procountor_notify_if_done()

    def _procountor_send_concurrently(self, on_done=None):
        """Send these invoices as ``_procountor_send_one`` sends each, with
        up to ``PROCOUNTOR_SEND_IN_FLIGHT`` of their requests in flight at
        once. Only the HTTP requests run in other threads; everything else
        (checks, every write and commit, the API log rows) is done here, by
        this cursor, one invoice at a time: ``Sending`` is committed before
        each create, and each answer is stored and committed before that
        invoice's next request is made. ``on_done(move)`` is called as each
        invoice is finished with."""
        limit = self._procountor_send_in_flight()
        waiting = iter(self)
        known = {}
        for connection in self.company_id.sudo().procountor_connection_id | (
            self.procountor_connection_id
        ):
            moves = self.filtered(
                lambda move, c=connection: move._procountor_connection() == c
            )
            known[connection.id] = (
                moves.commercial_partner_id._procountor_get_ids(connection, "CUSTOMER"),
                moves.invoice_line_ids.filtered(
                    lambda line: line.display_type == "product"
                ).product_id._procountor_get_ids(connection),
            )
        _KNOWN_IDS.by_connection = known
        running = {}  # future -> [move, flow, API-log handler, pool]
        pools = {}
        order = []  # futures in the order they were submitted

        def advance(state, future=None):
            """Run the flow of one invoice on this thread up to its next
            request (with ``future``'s answer), and send that request."""
            move, flow, handler, pool = state
            outer = getattr(_SINK, "handler", None)
            # The API log of this invoice is the one collecting calls now.
            _SINK.handler = handler
            try:
                if future is None:
                    request = flow.send(None)
                else:
                    pool.report(future)
                    error = future.exception()
                    request = (
                        flow.throw(error)
                        if error is not None
                        else flow.send(future.result())
                    )
            except StopIteration:
                request = None
            finally:
                state[2] = getattr(_SINK, "handler", None)
                _SINK.handler = outer
            if request is None:
                if on_done:
                    on_done(move)
                return
            call, args = request
            client = call.__self__
            pool = pools.get(id(client))
            if pool is None:
                pool = pools[id(client)] = client.call_pool(limit)
            state[3] = pool
            submitted = pool.submit(call, *args)
            running[submitted] = state
            order.append(submitted)

        try:
            while True:
                while len(running) < limit:
                    move = next(waiting, None)
                    if move is None:
                        break
                    flow = move._procountor_send_flow()
                    advance([move, flow, getattr(_SINK, "handler", None), None])
                if not running:
                    break
                done, _pending = wait(list(running), return_when=FIRST_COMPLETED)
                for future in [future for future in order if future in done]:
                    order.remove(future)
                    advance(running.pop(future), future)
        finally:
            _KNOWN_IDS.by_connection = None
            for pool in pools.values():
                pool.close()
            # Only after an error: the invoices still under way stop where
            # they are, as if the worker had died (a Sending state is
            # resolved later like any other), with their calls logged.
            outer = getattr(_SINK, "handler", None)
            try:
                for future, (_move, flow, handler, pool) in running.items():
                    _SINK.handler = handler
                    pool.report(future)
                    flow.close()
            finally:
                _SINK.handler = outer

    @api.model
    def _procountor_send_in_flight(self):
        return PROCOUNTOR_SEND_IN_FLIGHT
