# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Carry out the steps of a payment plan (procountor_api.payments.plan_invoice)
in Odoo: payments, reconciliations with credit notes, handled events and notes.

Every method takes the run of ``procountor.payment.import`` and one
invoice, except the checks of the connection's payment journals at the end.
"""

from collections import defaultdict

import psycopg2
from psycopg2 import errorcodes

from odoo import api, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger
from odoo.tools.misc import formatLang

from ..procountor_api import payments as procountor_payments
from .account_payment import EVENT_UNIQUE_CONSTRAINT
from .procountor_payment_import import PaymentImportProblem


class ProcountorPaymentRecord(models.AbstractModel):
    """The Odoo records of one planned payment step."""

    _name = "procountor.payment.record"
    _description = "Procountor Payment Recording"

    @api.model
    def _apply_step(self, run, move, step):
        """Carry out one step of ``move``'s plan; return the counter it adds to.

        Raises PaymentImportProblem with the sentence for the invoice.
        """
        if isinstance(step, procountor_payments.Skip):
            return step.reason
        if isinstance(step, procountor_payments.Problem):
            raise PaymentImportProblem(self._problem_sentence(run, move, step))
        try:
            if isinstance(step, procountor_payments.AllocateCreditNote):
                return self._allocate(run, move, step)
            if isinstance(step, procountor_payments.RecordSettlement):
                return self._note(run, move, step)
            return self._create_payment(run, move, step)
        except (UserError, ValidationError) as error:
            raise PaymentImportProblem(
                self.env._(
                    "Invoice %(move)s: Procountor payment %(event)s could not be "
                    "recorded: %(reason)s",
                    move=move.display_name,
                    event=step.event["id"],
                    reason=error.args[0] if error.args else "",
                )
            ) from error

    @api.model
    def _problem_sentence(self, run, move, step):
        """The sentence for the invoice of a Problem step."""
        company = run.connection.company_id
        if step.reason == procountor_payments.PROBLEM_FOREIGN_BOOKS:
            return self.env._(
                "Invoice %(move)s: Procountor books payment %(event)s in "
                "%(currency)s but company %(company)s keeps its books in "
                "%(company_currency)s; connect the company to the Procountor "
                "company that uses %(company_currency)s.",
                move=move.display_name,
                event=step.event["id"],
                currency=step.currency,
                company=company.display_name,
                company_currency=company.currency_id.name,
            )
        if step.reason == procountor_payments.PROBLEM_INACTIVE_CURRENCY:
            return self.env._(
                "Invoice %(move)s: Procountor payment %(event)s was paid in "
                "%(currency)s, which is not an active currency in Odoo; activate it "
                "and fetch the payments again.",
                move=move.display_name,
                event=step.event["id"],
                currency=step.currency,
            )
        return self.env._(
            "Invoice %(move)s: Procountor payment %(event)s has no payment date "
            "or amount; check it in Procountor.",
            move=move.display_name,
            event=step.event["id"],
        )

    # ------------------------------------------------------------------
    # Payments
    # ------------------------------------------------------------------
    @api.model
    def _currency(self, run, code):
        company_currency = run.connection.company_id.currency_id
        if code == company_currency.name:
            return company_currency
        if code not in run.currencies:
            run.currencies[code] = self.env["res.currency"].search(
                [("name", "=", code)], limit=1
            )
        return run.currencies[code]

    @api.model
    def _create_payment(self, run, move, step):
        """One posted inbound payment for the event, reconciled with the invoice."""
        item = self._prepare_payment(run, move, step)
        try:
            # The unique key on (connection, event) settles a race with another
            # run: the loser counts a duplicate instead of importing twice.
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                self._record_payments(run, [item])
        except psycopg2.IntegrityError as error:
            if (
                error.pgcode == errorcodes.UNIQUE_VIOLATION
                and EVENT_UNIQUE_CONSTRAINT in str(error)
            ):
                return "duplicates"
            raise
        return "created"

    @api.model
    def _prepare_payment(self, run, move, step):
        """``(move, event, payment values, receivable account)`` for a
        CreatePayment step."""
        connection = run.connection
        company_currency = connection.company_id.currency_id
        currency = self._currency(run, step.currency)
        journal = (
            connection.payment_cash_journal_id
            if step.journal == procountor_payments.KIND_CASH
            else connection.payment_bank_journal_id
        )
        receivable = move.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        )
        account = (
            receivable[:1].account_id
            or move.commercial_partner_id.with_company(
                connection.company_id
            ).property_account_receivable_id
        )
        event = step.event
        method_line = self._inbound_method_line(journal)
        values = {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": move.commercial_partner_id.id,
            "amount": currency.round(step.amount),
            "currency_id": currency.id,
            "date": event["date"],
            "journal_id": journal.id,
            "payment_method_line_id": method_line.id,
            "destination_account_id": account.id,
            "memo": procountor_payments.memo(event),
            "procountor_connection_id": connection.id,
            "procountor_event_id": event["id"],
        }
        if step.company_amount:
            # Procountor's own conversion (`amount` is in the company currency,
            # API_NOTES §4.7) rather than Odoo's rate of the day.
            values["force_balance"] = company_currency.round(step.company_amount)
        return move, event, values, account

    @api.model
    def _record_payments(self, run, items):
        """Create, post and reconcile the payments of prepared ``items`` in one
        batch; note overpayments on their invoices. Returns the payments.

        Raises psycopg2.IntegrityError when an event was imported meanwhile.
        """
        Payment = self.env["account.payment"]
        if not items:
            return Payment
        payments = Payment.create([values for _m, _e, values, _a in items])
        payments.action_post()
        groups = defaultdict(list)
        for payment, (move, event, _values, account) in zip(
            payments, items, strict=True
        ):
            groups[move, account].append((payment, event))
        plan = []
        for (move, account), pairs in groups.items():
            payment_lines = Payment.concat(
                *(payment for payment, _event in pairs)
            ).move_id.line_ids.filtered(
                lambda line, account=account: (
                    line.account_id == account and not line.reconciled
                )
            )
            if payment_lines:
                plan.append(
                    payment_lines
                    + move.line_ids.filtered(
                        lambda line, account=account: (
                            line.account_id == account and not line.reconciled
                        )
                    )
                )
        self.env["account.move.line"]._reconcile_plan(plan)
        for (move, account), pairs in groups.items():
            group_payments = Payment.concat(*(p for p, _e in pairs))
            move.matched_payment_ids |= group_payments
            lines = group_payments.move_id.line_ids.filtered(
                lambda line, account=account: line.account_id == account
            )
            currency = group_payments[-1].currency_id
            rest = -sum(lines.mapped("amount_residual_currency"))
            if (
                lines
                and len(group_payments.currency_id) == 1
                and not currency.is_zero(rest)
            ):
                payment, event = pairs[-1]
                move._message_log(
                    body=self.env._(
                        "Procountor payment %(event)s of %(amount)s was more than this "
                        "invoice's open amount: %(rest)s stays unreconciled as a "
                        "credit of %(partner)s for the accountant to use or refund.",
                        event=event["id"],
                        amount=formatLang(
                            self.env, payment.amount, currency_obj=currency
                        ),
                        rest=formatLang(self.env, rest, currency_obj=currency),
                        partner=move.commercial_partner_id.display_name,
                    )
                )
        return payments

    # ------------------------------------------------------------------
    # Events without money
    # ------------------------------------------------------------------
    @api.model
    def _record_settlement(self, run, move, event, outcome, counterpart=None):
        """Remember a handled event without money; False if another run did first."""
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                self.env["procountor.payment.event"].sudo().create(
                    {
                        "connection_id": run.connection.id,
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

    @api.model
    def _shown_amount(self, run, move, step):
        currency = (
            move.currency_id
            if step.shown_currency == move.currency_id.name
            else run.connection.company_id.currency_id
        )
        return formatLang(self.env, step.shown_amount, currency_obj=currency)

    @api.model
    def _note(self, run, move, step):
        """A settlement without money that Odoo cannot mirror: tell the accountant."""
        event = step.event
        if not self._record_settlement(run, move, event, "noted"):
            return "duplicates"
        values = {
            "amount": self._shown_amount(run, move, step),
            "date": event["date"] or "-",
            "event": event["id"],
        }
        if (
            isinstance(step, procountor_payments.RecordSettlement)
            and not step.allocation
        ):
            body = self.env._(
                "Procountor recorded %(type)s of %(amount)s on %(date)s (payment event "
                "%(event)s), which moves no money, so no payment was created. If it "
                "changes what the customer owes, record it in Odoo too (e.g. a credit "
                "note).",
                type=event["type"],
                **values,
            )
        else:
            body = self.env._(
                "Procountor settled %(amount)s of this invoice with a credit note on "
                "%(date)s (payment event %(event)s); no payment was created. Reconcile "
                "the invoice with that credit note in Odoo.",
                **values,
            )
        move._message_log(body=body)
        return "settled"

    @api.model
    def _matched_amount(self, move, credit_note):
        """How much of ``move`` is already reconciled with ``credit_note``, in the
        invoice currency."""
        lines = move.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        partials = lines.matched_credit_ids.filtered(
            lambda partial: partial.credit_move_id.move_id == credit_note
        )
        return sum(partials.mapped("debit_amount_currency"))

    @api.model
    def _allocate(self, run, move, step):
        """A credit note allocated to the invoice in Procountor (API_NOTES §4.6,
        INVOICE_TO_INVOICE): reconcile the two Odoo moves when both are known and
        the amounts fit, otherwise leave a note."""
        event, amount, counterpart_event = step.event, step.amount, step.counterpart
        if counterpart_event:
            credit_notes = run.index[counterpart_event["invoice_id"]][0]
        else:
            # Without a mirrored event, the credit notes Odoo made from this
            # invoice; posting reconciles them with it already.
            credit_notes = move.reversal_move_ids
        credit_notes = credit_notes.filtered(
            lambda credit: (
                credit.move_type == "out_refund"
                and credit.state == "posted"
                and credit.commercial_partner_id == move.commercial_partner_id
                and credit.currency_id == move.currency_id
            )
        )
        currency = move.currency_id
        invoice_lines = move.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        )
        Settlement = self.env["procountor.payment.event"].sudo()
        for credit_note in credit_notes:
            already = not currency.compare_amounts(
                self._matched_amount(move, credit_note), amount
            ) and not Settlement.search_count(
                [
                    ("move_id", "=", move.id),
                    ("counterpart_move_id", "=", credit_note.id),
                ],
                limit=1,
            )
            if not already:
                credit_lines = credit_note.line_ids.filtered(
                    lambda line: (
                        line.account_id in invoice_lines.account_id
                        and not line.reconciled
                    )
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
            if not self._record_settlement(run, move, event, "reconciled", credit_note):
                raise PaymentImportProblem(
                    self.env._(
                        "Invoice %(move)s: another fetch handled Procountor payment "
                        "%(event)s at the same time; fetch the payments again.",
                        move=move.display_name,
                        event=event["id"],
                    )
                )
            if counterpart_event:
                run.used.add(counterpart_event["id"])
                self._record_settlement(
                    run, credit_note, counterpart_event, "reconciled", move
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
        return self._note(run, move, step)

    # ------------------------------------------------------------------
    # The connection's journals: set up, and the "In Payment" check
    # ------------------------------------------------------------------
    @api.model
    def _inbound_method_line(self, journal):
        """The incoming payment method used for imported payments in ``journal``.

        A method whose outstanding account is the journal's own account comes
        first: with it, imported payments mark invoices Paid (see
        ``_journal_warning``).
        """
        lines = journal.inbound_payment_method_line_ids
        return (
            lines.filtered(
                lambda line: line.payment_account_id == journal.default_account_id
            )[:1]
            or lines.filtered(lambda line: line.code == "manual")[:1]
            or lines[:1]
        )

    @api.model
    def _journal_warning(self, connection):
        """Sentences on the payment journals of ``connection`` that would leave
        invoices In Payment instead of Paid, or False."""
        # Odoo 18 marks a fully reconciled invoice In Payment instead of Paid
        # while one of its payments is not "matched" (account.move
        # _compute_payment_state): a payment is matched when its liquidity line
        # is on the journal's own account, or once a bank statement line clears
        # its outstanding account (account.payment
        # _compute_reconciliation_status). Procountor, not Odoo, reconciles the
        # bank, so only the first works. Without Odoo's accountant features
        # (_get_invoice_in_payment_state() == 'paid') invoices go straight to
        # Paid and there is nothing to warn about.
        if self.env["account.move"]._get_invoice_in_payment_state() != "in_payment":
            return False
        sentences = []
        journals = (
            connection.payment_bank_journal_id | connection.payment_cash_journal_id
        )
        for journal in journals:
            line = self._inbound_method_line(journal)
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
        return "\n".join(sentences) or False

    @api.model
    def _setup_problem(self, connection):
        """A sentence saying what to configure on ``connection`` before payments
        can be fetched, or None."""
        missing = [
            label
            for label, journal in (
                (
                    self.env._("Bank Journal for Payments"),
                    connection.payment_bank_journal_id,
                ),
                (
                    self.env._("Cash Journal for Payments"),
                    connection.payment_cash_journal_id,
                ),
            )
            if not journal
        ]
        if missing:
            return self.env._(
                "Connection %(name)s: choose the %(fields)s on the Fetching Options "
                "tab before fetching payments.",
                name=connection.display_name,
                fields=self.env._(" and ").join(missing),
            )
        for journal in (
            connection.payment_bank_journal_id | connection.payment_cash_journal_id
        ):
            if not self._inbound_method_line(journal):
                return self.env._(
                    "Connection %(name)s: journal %(journal)s has no incoming payment "
                    "method; add one (e.g. Manual) on its Incoming Payments tab.",
                    name=connection.display_name,
                    journal=journal.display_name,
                )
        return None
