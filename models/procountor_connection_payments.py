# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fetch the payments of invoices sent to Procountor and record them in Odoo.

A run has two phases. The read phase asks Procountor for the payment events of
all concerned invoices (bulk, 200 invoice ids a call, API_NOTES §4.7, §3.4) and
creates nothing, so an API failure leaves no trace. The apply phase records the
new events in small batches of invoices, each in its own savepoint (and its own
commit outside tests); a batch that fails is redone invoice by invoice, so an
error on one invoice is stored on it and the others go on.
"""
import logging
import time as timer
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

import psycopg2
from psycopg2 import errorcodes

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, mute_logger
from odoo.tools.misc import formatLang

from ..procountor_api import ProcountorError
from ..procountor_api import payments as procountor_payments
from .account_payment import EVENT_UNIQUE_CONSTRAINT

_logger = logging.getLogger(__name__)

# Same units as ir.cron.interval_type.
INTERVAL_TYPES = [
    ("minutes", "Minutes"),
    ("hours", "Hours"),
    ("days", "Days"),
    ("weeks", "Weeks"),
    ("months", "Months"),
]
DEFAULT_INTERVAL_NUMBER = 1
DEFAULT_INTERVAL_TYPE = "hours"
# Invoices in these payment states still wait for money; paid, in-payment and
# reversed ones are never asked about again.
OPEN_PAYMENT_STATES = ("not_paid", "partial")
# Kinds of events that become Odoo payments.
MONEY_KINDS = (procountor_payments.KIND_BANK, procountor_payments.KIND_CASH)
# Invoices recorded together (and committed together) when nothing special is
# in them: the ORM creates, posts and reconciles payments much faster in batches.
PAYMENT_BATCH_SIZE = 50
# Read from and written to the connection's scheduled action.
SCHEDULE_FIELDS = (
    "payment_auto_fetch",
    "payment_fetch_interval_number",
    "payment_fetch_interval_type",
)
# Counters of a run, in the order the summary names them.
COUNT_KEYS = (
    "checked", "created", "duplicates", "errors", "settled", "ignored", "busy", "cancelled",
)


class PaymentImportProblem(Exception):
    """One invoice's events cannot be recorded; ``args[0]`` is the sentence for users."""


class ProcountorConnection(models.Model):
    _inherit = "procountor.connection"

    payment_bank_journal_id = fields.Many2one(
        "account.journal",
        string="Bank Journal for Payments",
        check_company=True,
        domain="[('type', '=', 'bank')]",
        help="Journal of the payments imported from Procountor, except cash payments.",
    )
    payment_cash_journal_id = fields.Many2one(
        "account.journal",
        string="Cash Journal for Payments",
        check_company=True,
        domain="[('type', '=', 'cash')]",
        help="Journal of the payments Procountor records as cash payments.",
    )
    payment_fetch_start_date = fields.Date(
        string="Fetch Payments From",
        help="Scheduled and connection-wide fetches only check invoices sent to "
        "Procountor on or after this day (UTC). Empty: no lower limit.",
    )
    payment_fetch_end_date = fields.Date(
        string="Fetch Payments Until",
        help="Scheduled and connection-wide fetches only check invoices sent to "
        "Procountor on or before this day (UTC). Empty: no upper limit.",
    )
    payment_last_fetch_date = fields.Datetime(
        string="Last Time Payments Fetched", readonly=True, copy=False
    )
    payment_last_fetch_message = fields.Char(
        string="Last Payment Fetch", readonly=True, copy=False
    )
    # The scheduled action is the single source of truth for "auto fetch" and
    # its interval. The fields below read and write it as superuser, because
    # only Settings administrators may touch ir.cron while accounting
    # administrators manage connections.
    payment_cron_id = fields.Many2one(
        "ir.cron",
        string="Payment Fetch Scheduled Action",
        copy=False,
        readonly=True,
        ondelete="set null",
        groups="base.group_system",
    )
    payment_auto_fetch = fields.Boolean(
        string="Auto Fetch Payments",
        compute="_compute_payment_schedule",
        inverse="_inverse_payment_schedule",
        help="Fetch the payments of this connection's sent invoices regularly.",
    )
    payment_fetch_interval_number = fields.Integer(
        string="Fetch Payments Every",
        compute="_compute_payment_schedule",
        inverse="_inverse_payment_schedule",
    )
    payment_fetch_interval_type = fields.Selection(
        INTERVAL_TYPES,
        string="Payment Fetch Interval Unit",
        compute="_compute_payment_schedule",
        inverse="_inverse_payment_schedule",
    )
    payment_journal_warning = fields.Text(compute="_compute_payment_journal_warning")

    @api.constrains("payment_fetch_start_date", "payment_fetch_end_date")
    def _check_payment_fetch_dates(self):
        for connection in self:
            start, end = connection.payment_fetch_start_date, connection.payment_fetch_end_date
            if start and end and start > end:
                raise ValidationError(
                    self.env._(
                        "Connection %(name)s: Fetch Payments From must not be after "
                        "Fetch Payments Until.",
                        name=connection.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------------
    def _compute_payment_schedule(self):
        for connection in self:
            cron = connection.sudo().payment_cron_id
            connection.payment_auto_fetch = bool(cron.active)
            connection.payment_fetch_interval_number = (
                cron.interval_number or DEFAULT_INTERVAL_NUMBER
            )
            connection.payment_fetch_interval_type = (
                cron.interval_type or DEFAULT_INTERVAL_TYPE
            )

    def _inverse_payment_schedule(self):
        """Nothing to do here: create() and write() apply the three fields
        together (_procountor_payment_set_schedule), because an inverse cannot
        tell which of them it was given."""

    def _procountor_payment_set_schedule(self, schedule):
        """Create, switch or re-time the connection's scheduled action.

        ``schedule`` holds any of SCHEDULE_FIELDS; the others keep their value.
        Whoever may write the connection may do this: the cron is handled as
        superuser, since only Settings administrators may edit ir.cron.
        """
        self.ensure_one()
        cron = self.sudo().payment_cron_id
        number = schedule.get(
            "payment_fetch_interval_number", cron.interval_number or DEFAULT_INTERVAL_NUMBER
        )
        if not number or number < 1:
            raise ValidationError(
                self.env._(
                    "Connection %(name)s: set Fetch Payments Every to 1 or more.",
                    name=self.display_name,
                )
            )
        auto_fetch = schedule.get("payment_auto_fetch", bool(cron.active))
        values = {
            "interval_number": number,
            "interval_type": schedule.get("payment_fetch_interval_type")
            or cron.interval_type
            or DEFAULT_INTERVAL_TYPE,
            "active": bool(auto_fetch and self.active),
        }
        if cron:
            cron.write(values)
        elif auto_fetch:
            self.sudo().payment_cron_id = self.env["ir.cron"].sudo().create(
                dict(self._procountor_payment_cron_values(), **values)
            )

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [dict(vals) for vals in vals_list]
        schedules = [
            {name: vals.pop(name) for name in SCHEDULE_FIELDS if name in vals}
            for vals in vals_list
        ]
        connections = super().create(vals_list)
        for connection, schedule in zip(connections, schedules, strict=True):
            if schedule:
                connection._procountor_payment_set_schedule(schedule)
        return connections

    def _procountor_payment_cron_values(self):
        """Values of the scheduled action created when auto fetch is first switched on."""
        self.ensure_one()
        return {
            "name": self.env._(
                "Procountor: fetch payments of %(connection)s", connection=self.display_name
            ),
            "model_id": self.env["ir.model"]._get_id(self._name),
            "state": "code",
            "code": f"model.browse({self.id})._cron_fetch_payments()",
            # The run works for the connection's company, whoever switched it on.
            "user_id": self.env.ref("base.user_root").id,
        }

    def write(self, vals):
        vals = dict(vals)
        schedule = {name: vals.pop(name) for name in SCHEDULE_FIELDS if name in vals}
        result = super().write(vals)
        if schedule:
            self.check_access("write")
            for connection in self:
                connection._procountor_payment_set_schedule(schedule)
        if "active" in vals and not vals["active"]:
            # An archived connection fetches nothing.
            self.sudo().payment_cron_id.write({"active": False})
        self.invalidate_recordset(list(SCHEDULE_FIELDS))
        return result

    def unlink(self):
        crons = self.sudo().payment_cron_id
        result = super().unlink()
        crons.unlink()
        return result

    def _cron_fetch_payments(self):
        """Scheduled run: fetch the payments of every connection in ``self``.

        Counts go to the server log and to the connection's Last Payment Fetch.
        Never raises API errors.
        """
        for connection in self.exists().filtered("active"):
            connection = connection.with_company(connection.company_id)
            started = timer.perf_counter()
            counts, failure = connection._procountor_fetch_payments()
            if failure:
                _logger.warning(
                    "Procountor payment fetch of connection %s failed: %s",
                    connection.id,
                    failure,
                )
                continue
            _logger.info(
                "Procountor payment fetch of connection %s: %s invoices checked, %s "
                "payments created, %s duplicates skipped, %s errors, %s settled without "
                "money, %s ignored, %s busy, %s on invoices cancelled in Odoo; %.1f s",
                connection.id,
                *(counts[key] for key in COUNT_KEYS),
                timer.perf_counter() - started,
            )

    # ------------------------------------------------------------------
    # Journals: configuration and the "In Payment" check
    # ------------------------------------------------------------------
    @api.model
    def _procountor_inbound_method_line(self, journal):
        """The incoming payment method used for imported payments in ``journal``.

        A method whose outstanding account is the journal's own account comes
        first: with it, imported payments mark invoices Paid (see
        ``_compute_payment_journal_warning``).
        """
        lines = journal.inbound_payment_method_line_ids
        return (
            lines.filtered(lambda line: line.payment_account_id == journal.default_account_id)[:1]
            or lines.filtered(lambda line: line.code == "manual")[:1]
            or lines[:1]
        )

    @api.depends(
        "payment_bank_journal_id.default_account_id",
        "payment_bank_journal_id.inbound_payment_method_line_ids.payment_account_id",
        "payment_cash_journal_id.default_account_id",
        "payment_cash_journal_id.inbound_payment_method_line_ids.payment_account_id",
    )
    def _compute_payment_journal_warning(self):
        # Odoo 18 marks a fully reconciled invoice In Payment instead of Paid
        # while one of its payments is not "matched" (account.move
        # _compute_payment_state): a payment is matched when its liquidity line
        # is on the journal's own account, or once a bank statement line clears
        # its outstanding account (account.payment
        # _compute_reconciliation_status). Procountor, not Odoo, reconciles the
        # bank, so only the first works. Without Odoo's accountant features
        # (_get_invoice_in_payment_state() == 'paid') invoices go straight to
        # Paid and there is nothing to warn about.
        in_payment_used = (
            self.env["account.move"]._get_invoice_in_payment_state() == "in_payment"
        )
        for connection in self:
            sentences = []
            journals = connection.payment_bank_journal_id | connection.payment_cash_journal_id
            for journal in journals if in_payment_used else ():
                line = self._procountor_inbound_method_line(journal)
                if not line or line.payment_account_id == journal.default_account_id:
                    continue
                sentences.append(
                    self.env._(
                        "Payments imported into journal %(journal)s would leave invoices "
                        "In Payment instead of Paid: on that journal's Incoming Payments "
                        "tab, set the Outstanding Receipts account of %(method)s to the "
                        "journal's own account %(account)s.",
                        journal=journal.display_name,
                        method=line.name,
                        account=journal.default_account_id.display_name,
                    )
                )
            connection.payment_journal_warning = "\n".join(sentences) or False

    def _procountor_payment_setup_problem(self):
        """A sentence saying what to configure before payments can be fetched, or None."""
        self.ensure_one()
        missing = [
            label
            for label, journal in (
                (self.env._("Bank Journal for Payments"), self.payment_bank_journal_id),
                (self.env._("Cash Journal for Payments"), self.payment_cash_journal_id),
            )
            if not journal
        ]
        if missing:
            return self.env._(
                "Connection %(name)s: choose the %(fields)s on the Fetching Options "
                "tab before fetching payments.",
                name=self.display_name,
                fields=self.env._(" and ").join(missing),
            )
        for journal in self.payment_bank_journal_id | self.payment_cash_journal_id:
            if not self._procountor_inbound_method_line(journal):
                return self.env._(
                    "Connection %(name)s: journal %(journal)s has no incoming payment "
                    "method; add one (e.g. Manual) on its Incoming Payments tab.",
                    name=self.display_name,
                    journal=journal.display_name,
                )
        return None

    # ------------------------------------------------------------------
    # A run
    # ------------------------------------------------------------------
    def _procountor_payment_domain(self):
        """Invoices of this connection that were sent and still wait for money."""
        self.ensure_one()
        return [
            ("procountor_connection_id", "=", self.id),
            ("procountor_state", "=", "sent"),
            ("procountor_id", "!=", False),
            ("state", "=", "posted"),
            # Credit notes take part for their side of credit-note allocations.
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("payment_state", "in", OPEN_PAYMENT_STATES),
        ]

    def _procountor_payment_candidates(self, moves=None):
        """The invoices a run checks: ``moves`` when given (the user chose them,
        so the date window does not apply), else all open sent invoices of the
        connection sent within the Fetch Payments From/Until window."""
        self.ensure_one()
        domain = self._procountor_payment_domain()
        if moves is not None:
            return moves.filtered_domain(domain)
        if self.payment_fetch_start_date:
            domain.append(
                ("procountor_sent_date", ">=", datetime.combine(self.payment_fetch_start_date, time.min))
            )
        if self.payment_fetch_end_date:
            end = self.payment_fetch_end_date + timedelta(days=1)
            domain.append(("procountor_sent_date", "<", datetime.combine(end, time.min)))
        return self.env["account.move"].search(domain, order="id")

    def _procountor_fetch_payments(self, moves=None):
        """Import the new Procountor payment events of the candidate invoices.

        Returns ``(counts, failure)``: a Counter over COUNT_KEYS, and the
        sentence explaining why nothing could be fetched (None on success).
        Never raises API errors; errors of single invoices are stored on them.
        """
        self.ensure_one()
        counts = Counter(dict.fromkeys(COUNT_KEYS, 0))
        failure = self._procountor_payment_setup_problem()
        if failure:
            self._procountor_payment_finish(counts, failure)
            return counts, failure
        candidates = self._procountor_payment_candidates(moves)
        plan = []
        if candidates:
            try:
                plan = self._procountor_payment_read(candidates, counts)
            except ProcountorError as error:
                _logger.warning(
                    "Procountor payment fetch of connection %s failed: %s",
                    self.id,
                    error,
                    exc_info=True,
                )
                failure = self._procountor_error_sentence(error)
                self._procountor_payment_finish(counts, failure)
                return counts, failure
        counts["checked"] = len(candidates)
        self._procountor_payment_apply(plan, counts)
        self._procountor_payment_cancelled(moves, counts)
        self._procountor_payment_finish(counts)
        return counts, None

    def _procountor_payment_cancelled(self, moves, counts):
        """Warn on invoices cancelled in Odoo that Procountor recorded a
        payment for: no payment is created for them, but the money must not
        go unnoticed. Each event is noted once (kept as a handled event)."""
        self.ensure_one()
        domain = [
            ("procountor_connection_id", "=", self.id),
            ("procountor_state", "=", "sent"),
            ("procountor_id", "!=", False),
            ("state", "=", "cancel"),
            ("move_type", "in", ("out_invoice", "out_refund")),
        ]
        Move = self.env["account.move"]
        cancelled = moves.filtered_domain(domain) if moves is not None else Move.search(domain)
        if not cancelled:
            return
        by_procountor_id = {move.procountor_id: move for move in cancelled}
        company_currency = self.company_id.currency_id.name
        try:
            with self._procountor_api() as client:
                events = [
                    event
                    for event in (
                        procountor_payments.normalize_event(row, company_currency)
                        for row in client.payment_events(list(by_procountor_id))
                    )
                    if event and event["invoice_id"] in by_procountor_id
                    and procountor_payments.is_incoming(event)
                ]
        except ProcountorError as error:
            _logger.warning(
                "Procountor payments of cancelled invoices of connection %s not read: %s",
                self.id,
                error,
            )
            return
        known = self._procountor_handled_event_ids([event["id"] for event in events])
        Settlement = self.env["procountor.payment.event"].sudo()
        for event in sorted(events, key=lambda event: event["id"]):
            if event["id"] in known:
                continue
            move = by_procountor_id[event["invoice_id"]]
            message = self.env._(
                "Invoice %(move)s is cancelled in Odoo, but Procountor recorded a payment "
                "of %(amount)s %(currency)s on %(date)s for it; no payment was created "
                "here: refund it or restore the invoice by hand.",
                move=move.name,
                amount=format(event["paid_amount"] or event["amount"] or 0, ".2f"),
                currency=event["paid_currency"] or event["currency"] or company_currency,
                date=event["date"] or "-",
            )
            Settlement.create(
                {
                    "connection_id": self.id,
                    "event_id": event["id"],
                    "event_type": event["type"],
                    "move_id": move.id,
                    "payment_date": event["date"],
                    "amount": event["amount"],
                    "outcome": "noted",
                }
            )
            move.sudo().procountor_error = message
            move._message_log(body=message)
            counts["cancelled"] += 1

    def _procountor_payment_read(self, moves, counts):
        """Read the payment events of ``moves`` from Procountor; create nothing.

        Returns ``[(move, [new events])]`` for the invoices that have events not
        yet handled, ordered by move id; counts the handled ones as duplicates.
        Raises ProcountorError.
        """
        self.ensure_one()
        by_procountor_id = {move.procountor_id: move for move in moves}
        company_currency = self.company_id.currency_id.name
        events = []
        with self._procountor_api() as client:
            for row in client.payment_events(list(by_procountor_id)):
                event = procountor_payments.normalize_event(row, company_currency)
                if event and event["invoice_id"] in by_procountor_id:
                    events.append(event)
            known = self._procountor_handled_event_ids([event["id"] for event in events])
            counts["duplicates"] += sum(1 for event in events if event["id"] in known)
            events = [event for event in events if event["id"] not in known]
            # The bulk rows may lack the type (API_NOTES §4.7): read the events
            # of those invoices again, one call each, before anything is created.
            detailed = {}
            # Several invoices at once; the rows are handled here afterwards.
            for rows in client.map_concurrent(
                lambda procountor_id: procountor_payments.invoice_payment_events(
                    client, procountor_id
                ),
                sorted(
                    {
                        event["invoice_id"]
                        for event in events
                        if procountor_payments.needs_detail(event)
                    }
                ),
            ):
                for row in rows:
                    event = procountor_payments.normalize_event(row, company_currency)
                    if event:
                        detailed[event["id"]] = event
        grouped = defaultdict(list)
        for event in events:
            grouped[event["invoice_id"]].append(detailed.get(event["id"], event))
        plan = [
            (by_procountor_id[procountor_id], sorted(group, key=lambda event: event["id"]))
            for procountor_id, group in grouped.items()
        ]
        return sorted(plan, key=lambda item: item[0].id)

    def _procountor_handled_event_ids(self, event_ids):
        """The ids among ``event_ids`` already recorded as a payment or a settlement."""
        self.ensure_one()
        if not event_ids:
            return set()
        payments = (
            self.env["account.payment"]
            .sudo()
            .search_fetch(
                [
                    ("procountor_connection_id", "=", self.id),
                    ("procountor_event_id", "in", event_ids),
                ],
                ["procountor_event_id"],
            )
        )
        settled = (
            self.env["procountor.payment.event"]
            .sudo()
            .search_fetch(
                [("connection_id", "=", self.id), ("event_id", "in", event_ids)],
                ["event_id"],
            )
        )
        return set(payments.mapped("procountor_event_id")) | set(settled.mapped("event_id"))

    def _procountor_payment_apply(self, plan, counts):
        """Record the events of ``plan``, committing after each batch of invoices
        outside tests.

        Invoices whose new events are all money or ignored go through the ORM in
        batches of PAYMENT_BATCH_SIZE (much cheaper per payment); when a batch
        fails as a whole it is rolled back and redone invoice by invoice, which
        is also how invoices with settlements without money are handled.
        """
        self.ensure_one()
        index = {move.procountor_id: (move, events) for move, events in plan}
        used = set()
        simple, special = [], []
        for item in plan:
            plain = all(
                event["kind"] in MONEY_KINDS or not procountor_payments.is_incoming(event)
                for event in item[1]
            )
            (simple if plain else special).append(item)
        batches = [
            simple[start:start + PAYMENT_BATCH_SIZE]
            for start in range(0, len(simple), PAYMENT_BATCH_SIZE)
        ] + [[item] for item in special]
        done = 0
        Move = self.env["account.move"]
        for batch in batches:
            # Prefetch within the batch only: the candidates of a run can be
            # thousands of invoices.
            moves = Move.browse([move.id for move, _events in batch])
            batch = [(move, events) for move, (_old, events) in zip(moves, batch, strict=True)]
            if len(batch) > 1:
                local = Counter()
                try:
                    with self.env.cr.savepoint():
                        self._procountor_payment_apply_batch(batch, local)
                except (
                    PaymentImportProblem, UserError, ValidationError, psycopg2.IntegrityError
                ) as error:
                    _logger.info(
                        "Procountor payment batch of %s invoices redone one by one: %s",
                        len(batch),
                        error,
                    )
                else:
                    counts.update(local)
                    moves.filtered("procountor_error").sudo().procountor_error = False
                    batch = []
            for move, events in batch:
                self._procountor_payment_apply_move(move, events, index, used, counts)
            done += len(moves)
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(plan) - done)
            if self._procountor_can_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _procountor_payment_apply_batch(self, batch, counts):
        """Record the money events of several invoices together; raise on any
        problem (the caller redoes the batch invoice by invoice)."""
        locked = self._procountor_payment_lock(
            self.env["account.move"].concat(*(move for move, _events in batch))
        )
        items = []
        for move, events in batch:
            if move not in locked:
                counts["busy"] += 1
                continue
            for event in events:
                if not procountor_payments.is_incoming(event) or move.move_type != "out_invoice":
                    counts["ignored"] += 1
                    continue
                items.append(self._procountor_payment_prepare(move, event))
        with mute_logger("odoo.sql_db"):
            counts["created"] += len(self._procountor_payment_record(items))

    def _procountor_payment_apply_move(self, move, events, index, used, counts):
        """Record one invoice's new events, all or nothing.

        On a problem the invoice's savepoint is rolled back and the sentence is
        stored in its Procountor Error; the run goes on with the next invoice.
        """
        local = Counter()
        try:
            with self.env.cr.savepoint():
                if not self._procountor_payment_lock(move):
                    counts["busy"] += 1
                    return
                for event in events:
                    local[self._procountor_payment_import_event(move, event, index, used)] += 1
        except PaymentImportProblem as problem:
            _logger.warning(
                "Procountor payments of invoice %s not recorded: %s", move.id, problem.args[0]
            )
            move.sudo().procountor_error = problem.args[0]
            counts["errors"] += 1
            return
        counts.update(local)
        if move.procountor_error:
            # The invoice is sent, so its only possible error was a payment one.
            move.sudo().procountor_error = False

    def _procountor_payment_lock(self, moves):
        """Lock the invoices for this transaction; return those locked (another
        run may hold some)."""
        try:
            with self.env.cr.savepoint(flush=False), mute_logger("odoo.sql_db"):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM account_move WHERE id IN %s "
                        "FOR NO KEY UPDATE SKIP LOCKED",
                        tuple(moves.ids),
                    )
                )
                locked = {row[0] for row in self.env.cr.fetchall()}
        except psycopg2.errors.SerializationFailure:
            # Changed by a run that committed after this transaction began.
            return moves.browse()
        return moves.filtered(lambda move: move.id in locked)

    def _procountor_payment_import_event(self, move, event, index, used):
        """Record one event of ``move``; return the name of the counter it adds to.

        Raises PaymentImportProblem with the sentence for the invoice.
        """
        if not procountor_payments.is_incoming(event) or move.move_type != "out_invoice":
            # Returned payments, refunds and the credit-note side of an
            # allocation are not imported.
            return "ignored"
        try:
            if event["kind"] == procountor_payments.KIND_ALLOCATION:
                return self._procountor_payment_allocation(move, event, index, used)
            if event["kind"] == procountor_payments.KIND_NO_MONEY:
                return self._procountor_payment_note(move, event)
            return self._procountor_payment_create(move, event)
        except (UserError, ValidationError) as error:
            raise PaymentImportProblem(
                self.env._(
                    "Invoice %(move)s: Procountor payment %(event)s could not be recorded: "
                    "%(reason)s",
                    move=move.display_name,
                    event=event["id"],
                    reason=error.args[0] if error.args else "",
                )
            ) from error

    # ------------------------------------------------------------------
    # Payments
    # ------------------------------------------------------------------
    def _procountor_payment_currency(self, move, event):
        """The Odoo currency the event was paid in; PaymentImportProblem otherwise."""
        company_currency = self.company_id.currency_id
        if event["currency"] and event["currency"] != company_currency.name:
            raise PaymentImportProblem(
                self.env._(
                    "Invoice %(move)s: Procountor books payment %(event)s in "
                    "%(currency)s but company %(company)s keeps its books in "
                    "%(company_currency)s; connect the company to the Procountor "
                    "company that uses %(company_currency)s.",
                    move=move.display_name,
                    event=event["id"],
                    currency=event["currency"],
                    company=self.company_id.display_name,
                    company_currency=company_currency.name,
                )
            )
        code = event["paid_currency"] or company_currency.name
        if code == company_currency.name:
            return company_currency
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )
        if not currency.active:
            raise PaymentImportProblem(
                self.env._(
                    "Invoice %(move)s: Procountor payment %(event)s was paid in "
                    "%(currency)s, which is not an active currency in Odoo; activate it "
                    "and fetch the payments again.",
                    move=move.display_name,
                    event=event["id"],
                    currency=code,
                )
            )
        return currency

    def _procountor_payment_create(self, move, event):
        """One posted inbound payment for the event, reconciled with the invoice."""
        item = self._procountor_payment_prepare(move, event)
        try:
            # The unique key on (connection, event) settles a race with another
            # run: the loser counts a duplicate instead of importing twice.
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                self._procountor_payment_record([item])
        except psycopg2.IntegrityError as error:
            if (
                error.pgcode == errorcodes.UNIQUE_VIOLATION
                and EVENT_UNIQUE_CONSTRAINT in str(error)
            ):
                return "duplicates"
            raise
        return "created"

    def _procountor_payment_prepare(self, move, event):
        """``(move, event, payment values, receivable account)`` for a money event;
        raises PaymentImportProblem when it cannot be recorded."""
        company_currency = self.company_id.currency_id
        currency = self._procountor_payment_currency(move, event)
        if not event["date"] or not event["paid_amount"]:
            raise PaymentImportProblem(
                self.env._(
                    "Invoice %(move)s: Procountor payment %(event)s has no payment date "
                    "or amount; check it in Procountor.",
                    move=move.display_name,
                    event=event["id"],
                )
            )
        journal = (
            self.payment_cash_journal_id
            if event["kind"] == procountor_payments.KIND_CASH
            else self.payment_bank_journal_id
        )
        receivable = move.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        )
        account = receivable[:1].account_id or move.commercial_partner_id.with_company(
            self.company_id
        ).property_account_receivable_id
        values = {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": move.commercial_partner_id.id,
            "amount": currency.round(event["paid_amount"]),
            "currency_id": currency.id,
            "date": event["date"],
            "journal_id": journal.id,
            "payment_method_line_id": self._procountor_inbound_method_line(journal).id,
            "destination_account_id": account.id,
            "memo": procountor_payments.memo(event),
            "procountor_connection_id": self.id,
            "procountor_event_id": event["id"],
        }
        if currency != company_currency and event["amount"]:
            # Procountor's own conversion (`amount` is in the company currency,
            # API_NOTES §4.7) rather than Odoo's rate of the day.
            values["force_balance"] = company_currency.round(abs(event["amount"]))
        return move, event, values, account

    def _procountor_payment_record(self, items):
        """Create, post and reconcile the payments of prepared ``items`` in one
        batch; note overpayments on their invoices. Returns the payments.

        Raises psycopg2.IntegrityError when an event was imported meanwhile.
        """
        if not items:
            return self.env["account.payment"]
        payments = self.env["account.payment"].create([values for _m, _e, values, _a in items])
        payments.action_post()
        groups = defaultdict(list)
        for payment, (move, event, _values, account) in zip(payments, items, strict=True):
            groups[move, account].append((payment, event))
        plan = []
        for (move, account), pairs in groups.items():
            payment_lines = self.env["account.payment"].concat(
                *(payment for payment, _event in pairs)
            ).move_id.line_ids.filtered(
                lambda line, account=account: line.account_id == account and not line.reconciled
            )
            if payment_lines:
                plan.append(
                    payment_lines
                    + move.line_ids.filtered(
                        lambda line, account=account: line.account_id == account
                        and not line.reconciled
                    )
                )
        self.env["account.move.line"]._reconcile_plan(plan)
        for (move, account), pairs in groups.items():
            group_payments = self.env["account.payment"].concat(*(p for p, _e in pairs))
            move.matched_payment_ids |= group_payments
            lines = group_payments.move_id.line_ids.filtered(
                lambda line, account=account: line.account_id == account
            )
            currency = group_payments[-1].currency_id
            rest = -sum(lines.mapped("amount_residual_currency"))
            if lines and len(group_payments.currency_id) == 1 and not currency.is_zero(rest):
                payment, event = pairs[-1]
                move._message_log(
                    body=self.env._(
                        "Procountor payment %(event)s of %(amount)s was more than this "
                        "invoice's open amount: %(rest)s stays unreconciled as a credit "
                        "of %(partner)s for the accountant to use or refund.",
                        event=event["id"],
                        amount=formatLang(self.env, payment.amount, currency_obj=currency),
                        rest=formatLang(self.env, rest, currency_obj=currency),
                        partner=move.commercial_partner_id.display_name,
                    )
                )
        return payments

    # ------------------------------------------------------------------
    # Events without money
    # ------------------------------------------------------------------
    def _procountor_payment_record_settlement(self, move, event, outcome, counterpart=None):
        """Remember a handled event without money; False if another run did first."""
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                self.env["procountor.payment.event"].sudo().create(
                    {
                        "connection_id": self.id,
                        "event_id": event["id"],
                        "event_type": event["type"],
                        "move_id": move.id,
                        "counterpart_move_id": counterpart.id if counterpart else False,
                        "payment_date": event["date"],
                        "amount": event["amount"],
                        "outcome": outcome,
                    }
                )
        except psycopg2.IntegrityError as error:
            if error.pgcode == errorcodes.UNIQUE_VIOLATION:
                return False
            raise
        return True

    def _procountor_event_amount_text(self, move, event):
        if event["paid_currency"] == move.currency_id.name and event["paid_amount"]:
            return formatLang(self.env, event["paid_amount"], currency_obj=move.currency_id)
        return formatLang(
            self.env, event["amount"] or 0.0, currency_obj=self.company_id.currency_id
        )

    def _procountor_payment_note(self, move, event):
        """A settlement without money that Odoo cannot mirror: tell the accountant."""
        if not self._procountor_payment_record_settlement(move, event, "noted"):
            return "duplicates"
        move._message_log(
            body=self.env._(
                "Procountor recorded %(type)s of %(amount)s on %(date)s (payment event "
                "%(event)s), which moves no money, so no payment was created. If it changes "
                "what the customer owes, record it in Odoo too (e.g. a credit note).",
                type=event["type"],
                amount=self._procountor_event_amount_text(move, event),
                date=event["date"] or "-",
                event=event["id"],
            )
        )
        return "settled"

    def _procountor_event_invoice_amount(self, move, event):
        """The event's amount in the invoice currency, or None when it cannot be told."""
        if event["paid_currency"] == move.currency_id.name and event["paid_amount"]:
            return event["paid_amount"]
        if move.currency_id == self.company_id.currency_id and event["amount"]:
            return event["amount"]
        return None

    @api.model
    def _procountor_matched_amount(self, move, credit_note):
        """How much of ``move`` is already reconciled with ``credit_note``, in the
        invoice currency."""
        lines = move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        partials = lines.matched_credit_ids.filtered(
            lambda partial: partial.credit_move_id.move_id == credit_note
        )
        return sum(partials.mapped("debit_amount_currency"))

    def _procountor_payment_allocation(self, move, event, index, used):
        """A credit note allocated to the invoice in Procountor (API_NOTES §4.6,
        INVOICE_TO_INVOICE): reconcile the two Odoo moves when both are known and
        the amounts fit, otherwise leave a note."""
        counterpart_event = procountor_payments.find_allocation_counterpart(
            event,
            [
                other
                for procountor_id, (_other_move, other_events) in index.items()
                if procountor_id != move.procountor_id
                for other in other_events
            ],
            used,
        )
        if counterpart_event:
            credit_notes = index[counterpart_event["invoice_id"]][0]
        else:
            # Without a mirrored event, the credit notes Odoo made from this
            # invoice; posting reconciles them with it already.
            credit_notes = move.reversal_move_ids
        amount = self._procountor_event_invoice_amount(move, event)
        credit_notes = credit_notes.filtered(
            lambda credit: credit.move_type == "out_refund"
            and credit.state == "posted"
            and credit.commercial_partner_id == move.commercial_partner_id
            and credit.currency_id == move.currency_id
        )
        currency = move.currency_id
        invoice_lines = move.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        )
        Settlement = self.env["procountor.payment.event"].sudo()
        for credit_note in credit_notes if amount is not None else ():
            already = not currency.compare_amounts(
                self._procountor_matched_amount(move, credit_note), amount
            ) and not Settlement.search_count(
                [("move_id", "=", move.id), ("counterpart_move_id", "=", credit_note.id)],
                limit=1,
            )
            if not already:
                credit_lines = credit_note.line_ids.filtered(
                    lambda line: line.account_id in invoice_lines.account_id
                    and not line.reconciled
                )
                if not credit_lines:
                    continue
                open_invoice = sum(invoice_lines.mapped("amount_residual_currency"))
                open_credit = -sum(credit_lines.mapped("amount_residual_currency"))
                # reconcile() settles the smaller open amount; it must be exactly
                # the allocated one, or the two documents would be matched
                # differently than in Procountor.
                if currency.compare_amounts(min(open_invoice, open_credit), amount):
                    continue
                (invoice_lines + credit_lines).reconcile()
            if not self._procountor_payment_record_settlement(
                move, event, "reconciled", credit_note
            ):
                raise PaymentImportProblem(
                    self.env._(
                        "Invoice %(move)s: another fetch handled Procountor payment "
                        "%(event)s at the same time; fetch the payments again.",
                        move=move.display_name,
                        event=event["id"],
                    )
                )
            if counterpart_event:
                used.add(counterpart_event["id"])
                self._procountor_payment_record_settlement(
                    credit_note, counterpart_event, "reconciled", move
                )
            values = {
                "amount": formatLang(self.env, amount, currency_obj=currency),
                "credit_note": credit_note.display_name,
                "event": event["id"],
            }
            move._message_log(
                body=self.env._(
                    "Procountor settled %(amount)s of this invoice with credit note "
                    "%(credit_note)s (payment event %(event)s), which was already "
                    "reconciled with it in Odoo.",
                    **values,
                )
                if already
                else self.env._(
                    "Procountor settled %(amount)s of this invoice with credit note "
                    "%(credit_note)s (payment event %(event)s); the two are now "
                    "reconciled.",
                    **values,
                )
            )
            return "settled"
        if not self._procountor_payment_record_settlement(move, event, "noted"):
            return "duplicates"
        move._message_log(
            body=self.env._(
                "Procountor settled %(amount)s of this invoice with a credit note on "
                "%(date)s (payment event %(event)s); no payment was created. Reconcile "
                "the invoice with that credit note in Odoo.",
                amount=self._procountor_event_amount_text(move, event),
                date=event["date"] or "-",
                event=event["id"],
            )
        )
        return "settled"

    # ------------------------------------------------------------------
    # End of a run, messages, buttons
    # ------------------------------------------------------------------
    def _procountor_payment_finish(self, counts, failure=None):
        """Store the outcome of the run on the connection and commit it."""
        self.ensure_one()
        values = {
            "payment_last_fetch_message": failure or self._procountor_payment_summary(counts)
        }
        if not failure:
            values["payment_last_fetch_date"] = fields.Datetime.now()
        # Bookkeeping of the connection itself: billing users may fetch but not
        # edit connections.
        self.sudo().write(values)
        if self._procountor_can_commit():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _procountor_payment_summary(self, counts):
        """One sentence with the counts of a run."""
        parts = [
            self.env._(
                "%(checked)s invoices checked, %(created)s payments created, "
                "%(duplicates)s skipped as already imported, %(errors)s errors",
                checked=counts["checked"],
                created=counts["created"],
                duplicates=counts["duplicates"],
                errors=counts["errors"],
            )
        ]
        if counts["settled"]:
            parts.append(
                self.env._(
                    "%(count)s settlements without money noted or reconciled",
                    count=counts["settled"],
                )
            )
        if counts["cancelled"]:
            parts.append(
                self.env._(
                    "%(count)s payments of invoices cancelled in Odoo (see the warning "
                    "on each invoice)",
                    count=counts["cancelled"],
                )
            )
        if counts["busy"]:
            parts.append(
                self.env._(
                    "%(count)s invoices left to a fetch running at the same time",
                    count=counts["busy"],
                )
            )
        return "; ".join(parts) + "."

    @api.model
    def _procountor_payment_notification(self, counts, failures=(), skipped=0):
        """The notification closing a manual run; the view reloads to show the payments."""
        lines = list(failures)
        if counts["checked"] or not failures:
            lines.append(self._procountor_payment_summary(counts))
        if skipped:
            lines.append(
                self.env._(
                    "%(count)s selected invoices were skipped: not sent to Procountor "
                    "or already paid.",
                    count=skipped,
                )
            )
        if failures:
            kind = "danger"
        elif counts["errors"]:
            kind = "warning"
            lines.append(
                self.env._("The invoices with errors show what to do in Procountor Error.")
            )
        else:
            kind = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Procountor payments"),
                "message": "\n".join(lines),
                "type": kind,
                "sticky": kind != "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_procountor_fetch_payments(self):
        """Button: fetch the payments of all open sent invoices of the connection."""
        self.ensure_one()
        self.env["account.payment"].check_access("create")
        connection = self.with_company(self.company_id)
        counts, failure = connection._procountor_fetch_payments()
        return self._procountor_payment_notification(counts, [failure] if failure else [])
