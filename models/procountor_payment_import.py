# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fetch the payments of invoices sent to Procountor and record them in Odoo.

A run reads, plans and applies. The read phase asks Procountor for the payment
events of all concerned invoices (bulk, 200 invoice ids a call, API_NOTES
§4.7, §3.4) and creates nothing, so an API failure leaves no trace. For each
invoice, ``procountor_api.payments.plan_invoice`` turns its new events into
steps; the apply phase carries them out in small batches of invoices, each in
its own savepoint (and its own commit outside tests); a batch that fails is
redone invoice by invoice, so an error on one invoice is stored on it and the
others go on. The Odoo records of each step are written by
``procountor.payment.record``.
"""

import logging
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, mute_logger

from ..procountor_api import ProcountorError
from ..procountor_api import payments as procountor_payments

_logger = logging.getLogger(__name__)

# Invoices in these payment states still wait for money; paid, in-payment and
# reversed ones are never asked about again.
OPEN_PAYMENT_STATES = ("not_paid", "partial")
# Invoices recorded together (and committed together) when nothing special is
# in them: the ORM creates, posts and reconciles payments much faster in batches.
PAYMENT_BATCH_SIZE = 50
# Counters of a run, in the order the summary names them.
COUNT_KEYS = (
    "checked",
    "created",
    "duplicates",
    "errors",
    "settled",
    "ignored",
    "busy",
    "cancelled",
)


class PaymentImportProblem(Exception):
    """One invoice's events cannot be recorded; ``args[0]`` is the sentence
    for users."""


class PaymentImportRun:
    """One payment fetch of a connection: what it read and what it did."""

    def __init__(self, connection, moves=None):
        self.connection = connection
        self.moves = moves  # chosen by the user; None: the connection's open invoices
        self.counts = Counter(dict.fromkeys(COUNT_KEYS, 0))
        self.failure = None  # sentence when nothing could be fetched
        self.queue = []  # [(move, [new events])] ordered by move id
        self.index = {}  # {procountor id: (move, [new events])}
        self.handled = set()  # event ids Odoo had recorded when they were read
        self.used = set()  # credit-note events paired with an invoice in this run
        self.allocations = []  # new allocation events of all invoices read
        self.currencies = {}  # {code: res.currency} of foreign payments
        self.active_currencies = None  # codes of active Odoo currencies, when needed

    def keep_read(self, queue, handled):
        """Keep what the read phase found: ``queue`` as ``[(move, events)]``."""
        self.queue = sorted(queue, key=lambda item: item[0].id)
        self.index = {move.procountor_id: (move, events) for move, events in self.queue}
        self.handled = set(handled)
        self.allocations = [
            event
            for _move, events in self.queue
            for event in events
            if event["kind"] == procountor_payments.KIND_ALLOCATION
        ]


class ProcountorPaymentImport(models.AbstractModel):
    """Procountor payment events of sent invoices -> Odoo payments and settlements."""

    _name = "procountor.payment.import"
    _description = "Procountor Payment Import"

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------
    @api.model
    def _run(self, connection, moves=None):
        """Import the new Procountor payment events of ``connection``'s invoices
        (``moves`` when given). Returns the run; never raises API errors, and
        errors of single invoices are stored on them."""
        connection.ensure_one()
        if self.env is not connection.env:
            # One environment (user, company) for the whole run.
            return self.with_env(connection.env)._run(connection, moves)
        run = PaymentImportRun(connection, moves)
        run.failure = self.env["procountor.payment.record"]._setup_problem(connection)
        if run.failure:
            self._finish(run)
            return run
        candidates = self._candidates(connection, moves)
        if candidates:
            try:
                self._read(run, candidates)
            except ProcountorError as error:
                _logger.warning(
                    "Procountor payment fetch of connection %s failed: %s",
                    connection.id,
                    error,
                    exc_info=True,
                )
                run.failure = connection._procountor_error_sentence(error)
                self._finish(run)
                return run
        run.counts["checked"] = len(candidates)
        self._apply(run)
        self._cancelled(run)
        self._finish(run)
        return run

    @api.model
    def _domain(self, connection):
        """Invoices of ``connection`` that were sent and still wait for money."""
        return [
            ("procountor_connection_id", "=", connection.id),
            ("procountor_state", "=", "sent"),
            ("procountor_id", "!=", False),
            ("state", "=", "posted"),
            # Credit notes take part for their side of credit-note allocations.
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("payment_state", "in", OPEN_PAYMENT_STATES),
        ]

    @api.model
    def _candidates(self, connection, moves=None):
        """The invoices a run checks: ``moves`` when given (the user chose them,
        so the date window does not apply), else all open sent invoices of the
        connection sent within the Fetch Payments From/Until window."""
        domain = self._domain(connection)
        if moves is not None:
            return moves.filtered_domain(domain)
        if connection.payment_fetch_start_date:
            start = datetime.combine(connection.payment_fetch_start_date, time.min)
            domain.append(("procountor_sent_date", ">=", start))
        if connection.payment_fetch_end_date:
            end = connection.payment_fetch_end_date + timedelta(days=1)
            domain.append(
                ("procountor_sent_date", "<", datetime.combine(end, time.min))
            )
        return self.env["account.move"].search(domain, order="id")

    # ------------------------------------------------------------------
    # Read
    # ------------------------------------------------------------------
    @api.model
    def _read(self, run, moves):
        """Read the payment events of ``moves`` from Procountor; create nothing.

        Keeps on the run the invoices that have events not yet handled; counts
        the handled ones as duplicates. Raises ProcountorError.
        """
        connection = run.connection
        by_procountor_id = {move.procountor_id: move for move in moves}
        company_currency = connection.company_id.currency_id.name
        events = []
        with connection._procountor_api() as client:
            for row in client.payment_events(list(by_procountor_id)):
                event = procountor_payments.normalize_event(row, company_currency)
                if event and event["invoice_id"] in by_procountor_id:
                    events.append(event)
            known = self._handled_event_ids(
                connection, [event["id"] for event in events]
            )
            run.counts["duplicates"] += sum(
                1 for event in events if event["id"] in known
            )
            events = [event for event in events if event["id"] not in known]
            # The bulk rows may lack the type (API_NOTES §4.7): read the events
            # of those invoices again, one call each (several at once), before
            # anything is created.
            detailed = {}
            for rows in client.map_concurrent(
                client.invoice_payment_events,
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
        run.keep_read(
            [
                (
                    by_procountor_id[procountor_id],
                    sorted(group, key=lambda event: event["id"]),
                )
                for procountor_id, group in grouped.items()
            ],
            known,
        )

    @api.model
    def _handled_event_ids(self, connection, event_ids):
        """The ids among ``event_ids`` already recorded as a payment or a settlement."""
        if not event_ids:
            return set()
        payments = (
            self.env["account.payment"]
            .sudo()
            .search_fetch(
                [
                    ("procountor_connection_id", "=", connection.id),
                    ("procountor_event_id", "in", event_ids),
                ],
                ["procountor_event_id"],
            )
        )
        settled = (
            self.env["procountor.payment.event"]
            .sudo()
            .search_fetch(
                [("connection_id", "=", connection.id), ("event_id", "in", event_ids)],
                ["event_id"],
            )
        )
        return set(payments.mapped("procountor_event_id")) | set(
            settled.mapped("event_id")
        )

    # ------------------------------------------------------------------
    # Plan
    # ------------------------------------------------------------------
    @api.model
    def _plan(self, run, move, events):
        """The steps recording ``events`` of ``move`` (procountor_api.payments)."""
        company_currency = run.connection.company_id.currency_id.name
        if run.active_currencies is None and any(
            (event["paid_currency"] or company_currency) != company_currency
            for event in events
        ):
            run.active_currencies = set(
                self.env["res.currency"].search([("active", "=", True)]).mapped("name")
            )
        return procountor_payments.plan_invoice(
            events,
            is_invoice=move.move_type == "out_invoice",
            invoice_currency=move.currency_id.name,
            company_currency=company_currency,
            handled_ids=run.handled,
            other_events=run.allocations,
            used_ids=run.used,
            active_currencies=run.active_currencies or (),
        )

    # ------------------------------------------------------------------
    # Apply
    # ------------------------------------------------------------------
    @api.model
    def _apply(self, run):
        """Record the events read, committing after each batch of invoices
        outside tests.

        Invoices whose new events are all money or ignored go through the ORM in
        batches of PAYMENT_BATCH_SIZE (much cheaper per payment); when a batch
        fails as a whole it is rolled back and redone invoice by invoice, which
        is also how invoices with settlements without money are handled.
        """
        simple, special = [], []
        for item in run.queue:
            (simple if procountor_payments.is_plain(item[1]) else special).append(item)
        batches = [
            simple[start : start + PAYMENT_BATCH_SIZE]
            for start in range(0, len(simple), PAYMENT_BATCH_SIZE)
        ] + [[item] for item in special]
        done = 0
        Move = self.env["account.move"]
        for batch in batches:
            # Prefetch within the batch only: the candidates of a run can be
            # thousands of invoices.
            moves = Move.browse([move.id for move, _events in batch])
            batch = [
                (move, events)
                for move, (_old, events) in zip(moves, batch, strict=True)
            ]
            if len(batch) > 1:
                local = Counter()
                try:
                    with self.env.cr.savepoint():
                        self._apply_batch(run, batch, local)
                except (
                    PaymentImportProblem,
                    UserError,
                    ValidationError,
                    psycopg2.IntegrityError,
                ) as error:
                    _logger.info(
                        "Procountor payment batch of %s invoices redone one by one: %s",
                        len(batch),
                        error,
                    )
                else:
                    run.counts.update(local)
                    moves.filtered("procountor_error").sudo().procountor_error = False
                    batch = []
            for move, events in batch:
                self._apply_move(run, move, events)
            done += len(moves)
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(run.queue) - done
            )
            if run.connection._procountor_can_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _apply_batch(self, run, batch, counts):
        """Record the money events of several invoices together; raise on any
        problem (the caller redoes the batch invoice by invoice)."""
        Record = self.env["procountor.payment.record"]
        locked = self._lock(
            self.env["account.move"].concat(*(move for move, _e in batch))
        )
        items = []
        for move, events in batch:
            if move not in locked:
                counts["busy"] += 1
                continue
            for step in self._plan(run, move, events):
                if isinstance(step, procountor_payments.Skip):
                    counts[step.reason] += 1
                elif isinstance(step, procountor_payments.CreatePayment):
                    items.append(Record._prepare_payment(run, move, step))
                else:
                    raise PaymentImportProblem(
                        Record._problem_sentence(run, move, step)
                    )
        with mute_logger("odoo.sql_db"):
            counts["created"] += len(Record._record_payments(run, items))

    @api.model
    def _apply_move(self, run, move, events):
        """Record one invoice's new events, all or nothing.

        On a problem the invoice's savepoint is rolled back and the sentence is
        stored in its Procountor Error; the run goes on with the next invoice.
        """
        Record = self.env["procountor.payment.record"]
        local = Counter()
        try:
            with self.env.cr.savepoint():
                if not self._lock(move):
                    run.counts["busy"] += 1
                    return
                for step in self._plan(run, move, events):
                    local[Record._apply_step(run, move, step)] += 1
        except PaymentImportProblem as problem:
            _logger.warning(
                "Procountor payments of invoice %s not recorded: %s",
                move.id,
                problem.args[0],
            )
            move.sudo().procountor_error = problem.args[0]
            run.counts["errors"] += 1
            return
        run.counts.update(local)
        if move.procountor_error:
            # The invoice is sent, so its only possible error was a payment one.
            move.sudo().procountor_error = False

    @api.model
    def _lock(self, moves):
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

    # ------------------------------------------------------------------
    # Invoices cancelled in Odoo
    # ------------------------------------------------------------------
    @api.model
    def _cancelled(self, run):
        """Warn on invoices cancelled in Odoo that Procountor recorded a
        payment for: no payment is created for them, but the money must not
        go unnoticed. Each event is noted once (kept as a handled event)."""
        connection = run.connection
        domain = [
            ("procountor_connection_id", "=", connection.id),
            ("procountor_state", "=", "sent"),
            ("procountor_id", "!=", False),
            ("state", "=", "cancel"),
            ("move_type", "in", ("out_invoice", "out_refund")),
        ]
        moves = run.moves
        Move = self.env["account.move"]
        cancelled = (
            moves.filtered_domain(domain) if moves is not None else Move.search(domain)
        )
        if not cancelled:
            return
        by_procountor_id = {move.procountor_id: move for move in cancelled}
        company_currency = connection.company_id.currency_id.name
        try:
            with connection._procountor_api() as client:
                events = [
                    event
                    for event in (
                        procountor_payments.normalize_event(row, company_currency)
                        for row in client.payment_events(list(by_procountor_id))
                    )
                    if event
                    and event["invoice_id"] in by_procountor_id
                    and procountor_payments.is_incoming(event)
                ]
        except ProcountorError as error:
            _logger.warning(
                "Procountor payments of cancelled invoices of connection %s not read: "
                "%s",
                connection.id,
                error,
            )
            return
        known = self._handled_event_ids(connection, [event["id"] for event in events])
        Settlement = self.env["procountor.payment.event"].sudo()
        for event in sorted(events, key=lambda event: event["id"]):
            if event["id"] in known:
                continue
            move = by_procountor_id[event["invoice_id"]]
            message = self.env._(
                "Invoice %(move)s is cancelled in Odoo, but Procountor recorded a "
                "payment of %(amount)s %(currency)s on %(date)s for it; no payment "
                "was created here: refund it or restore the invoice by hand.",
                move=move.name,
                amount=format(event["paid_amount"] or event["amount"] or 0, ".2f"),
                currency=event["paid_currency"]
                or event["currency"]
                or company_currency,
                date=event["date"] or "-",
            )
            Settlement.create(
                {
                    "connection_id": connection.id,
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
            run.counts["cancelled"] += 1

    # ------------------------------------------------------------------
    # End of a run, messages
    # ------------------------------------------------------------------
    @api.model
    def _finish(self, run):
        """Store the outcome of the run on the connection and commit it."""
        connection = run.connection
        values = {
            "payment_last_fetch_message": run.failure or self._summary(run.counts)
        }
        if not run.failure:
            values["payment_last_fetch_date"] = fields.Datetime.now()
        # Bookkeeping of the connection itself: billing users may fetch but not
        # edit connections.
        connection.sudo().write(values)
        if connection._procountor_can_commit():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _summary(self, counts):
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
    def _notification(self, counts, failures=(), skipped=0):
        """The notification closing a manual run; the view reloads to show the
        payments."""
        lines = list(failures)
        if counts["checked"] or not failures:
            lines.append(self._summary(counts))
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
                self.env._(
                    "The invoices with errors show what to do in Procountor Error."
                )
            )
        else:
            kind = "success"
        return self.env["account.move"]._procountor_notification(
            "\n".join(lines), kind, title=self.env._("Procountor payments")
        )
