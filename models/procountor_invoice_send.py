# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Sending one invoice exactly once: ``procountor.invoice.send``.

Composed into ``account.move`` (see models/account_move.py), so ``self`` is
the invoice. ``_procountor_send_one`` drives ``_procountor_send_flow``: the
pre-send check, then ``_procountor_send_steps`` (bank account, customer and
products, rounding check, ``Sending`` committed before the create, create,
totals, PDF, approve, send), every outcome stored on the invoice by
``_procountor_fail`` / ``_procountor_store_remote`` and committed by
``_procountor_commit``. A create whose answer was lost leaves the invoice
in Needs check: within the grace period nothing is created again, after it
``_procountor_resolve_attempt`` links the invoice Procountor has or allows
a new create. When Procountor computes another total than Odoo,
``_procountor_total_mismatch`` invalidates the unfinished invoice there.
``_procountor_try_lock`` keeps two workers from the same invoice. The grace
period, the queue, the scheduled job and the concurrent send are in
models/procountor_invoice_send_job.py.
"""

import base64
import logging
import threading

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError

from ..procountor_api import (
    ProcountorError,
    ProcountorForbiddenError,
    ProcountorUnknownOutcome,
)
from ..procountor_api.payloads import (
    invoice_payload,
    invoice_total,
    normalise_iban,
    round2,
    totals_match,
)
from .procountor_invoice_check import SENDABLE_TYPES

_logger = logging.getLogger(__name__)

# pg_try_advisory_lock(class, id): a session lock that survives the commits
# made while one invoice is sent, so two workers never send the same one.
ADVISORY_LOCK_CLASS = 0x50524F43  # "PROC"
# The Procountor ids of the customers and products of the invoices the job
# is sending on this thread: {connection id: ({partner id: id}, {product id: id})}.
_KNOWN_IDS = threading.local()


class _ProcountorNotYet(Exception):
    """An earlier create may still be under way in Procountor: nothing is
    created now. ``args[0]`` is the sentence for the user."""


class ProcountorInvoiceSend(models.AbstractModel):
    _name = "procountor.invoice.send"
    _description = "Procountor Invoice Sending"

    def _procountor_commit(self):
        """Keep what was done so far: after every remote change, so that a
        later failure never forgets what Procountor already has."""
        if self.env["procountor.connection"]._procountor_can_commit():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _procountor_write(self, values):
        """Write the connector's own bookkeeping fields. account.move.write()
        re-synchronises journal items and re-checks the balance of every
        move it touches, which these fields never affect; skipping it made
        sending several times faster (see the send benchmark). Access was
        checked when the user started sending."""
        return models.BaseModel.write(self.sudo(), values)

    def _procountor_try_lock(self):
        self.ensure_one()
        self.env.cr.execute(
            "SELECT pg_try_advisory_lock(%s, %s)", (ADVISORY_LOCK_CLASS, self.id)
        )
        return self.env.cr.fetchone()[0]

    def _procountor_unlock(self):
        self.env.cr.execute(
            "SELECT pg_advisory_unlock(%s, %s)", (ADVISORY_LOCK_CLASS, self.id)
        )

    def _procountor_fail(self, message, state="error"):
        self.ensure_one()
        self._procountor_write({"procountor_state": state, "procountor_error": message})
        self._message_log(body=message)
        self._procountor_commit()

    def _procountor_store_remote(self, remote, connection):
        self._procountor_write(
            {
                "procountor_connection_id": connection.id,
                "procountor_id": remote["id"],
                "procountor_number": str(remote.get("invoiceNumber") or ""),
                "procountor_status": remote.get("status"),
                "procountor_create_attempted": False,
            }
        )

    def _procountor_find_existing(self, client):
        """After a create whose outcome is unknown: the invoice Procountor
        received, found by its Odoo number (and date), or None. Raises
        UserError when several match, which a person must sort out."""
        matches = [
            invoice
            for invoice in client.search_invoices(
                originalInvoiceNumber=self.name, types="SALES_INVOICE"
            )
            if invoice.get("originalInvoiceNumber") == self.name
            and invoice.get("date") == fields.Date.to_string(self.invoice_date)
            and invoice.get("status") != "INVALIDATED"
        ]
        if len(matches) > 1:
            raise UserError(
                self.env._(
                    "Invoice %(move)s: Procountor holds %(count)s invoices with this "
                    "number (%(numbers)s); keep one in Procountor and invalidate the "
                    "others.",
                    move=self.name,
                    count=len(matches),
                    numbers=", ".join(str(m.get("invoiceNumber")) for m in matches),
                )
            )
        return matches[0] if matches else None

    def _procountor_remote_ids(self, connection):
        """Procountor ids of the customer and the products, creating them in
        Procountor when the connection allows it."""
        customer = self.commercial_partner_id
        products = self._procountor_product_lines().product_id
        # Read for all invoices of the job's slice at once; what is not
        # there is looked up as usual.
        known_customers, known_products = (
            getattr(_KNOWN_IDS, "by_connection", None) or {}
        ).get(connection.id, ({}, {}))
        if customer.id in known_customers:
            partner_ids = {customer.id: known_customers[customer.id]}
        else:
            partner_ids = customer._procountor_get_ids(connection, "CUSTOMER")
        if customer.id not in partner_ids:
            partner_ids = customer._procountor_ensure_remote(connection, "CUSTOMER")
        if all(product.id in known_products for product in products):
            product_ids = {
                product.id: known_products[product.id] for product in products
            }
        else:
            product_ids = products._procountor_get_ids(connection)
        missing = products.filtered(lambda product: product.id not in product_ids)
        if missing:
            product_ids.update(missing._procountor_ensure_remote(connection))
        return partner_ids[customer.id], product_ids

    def _procountor_skip_reason(self):
        """Why this move is no business of Procountor's (a vendor bill, a
        draft), or False. Such moves are left exactly as they are."""
        self.ensure_one()
        if self.move_type not in SENDABLE_TYPES:
            return self.env._(
                "%(move)s is not a customer invoice or credit note (Type)",
                move=self._procountor_label(),
            )
        if self.state != "posted":
            return self.env._(
                "%(move)s is not posted (Status); confirm it first",
                move=self._procountor_label(),
            )
        return False

    def _procountor_send_one(self):
        """Send this invoice to Procountor, or resume where an earlier attempt
        stopped, one request after another. Never raises Procountor or
        validation errors: the outcome is stored on the invoice (state,
        error) and in its chatter. Moves that are not posted customer
        invoices are left untouched."""
        self.ensure_one()
        flow = self._procountor_send_flow()
        value = error = None
        while True:
            try:
                request = flow.throw(error) if error is not None else flow.send(value)
            except StopIteration:
                return
            call, args = request
            try:
                value, error = call(*args), None
            except BaseException as exc:
                # Raised in the flow, where the call stands, as if made there.
                value, error = None, exc

    def _procountor_send_flow(self):
        """What ``_procountor_send_one`` does, as a generator yielding its
        requests (see ``_procountor_send_steps``)."""
        self.ensure_one()
        move = self
        if move.procountor_state == "sent" or move._procountor_skip_reason():
            return  # never twice; nothing to do for bills and drafts
        move._procountor_pin_attempt()
        connection = move._procountor_connection()
        problems = move._procountor_check(connection)
        if problems:
            move._procountor_fail(
                move._procountor_problems_sentence(problems),
                state="needs_check" if move.procountor_create_attempted else "error",
            )
            return
        try:
            with connection._procountor_api(move) as client:
                yield from move._procountor_send_steps(connection, client)
        except _ProcountorNotYet as wait:
            move._procountor_fail(wait.args[0], state="needs_check")
            move._procountor_schedule_check()
        except ProcountorUnknownOutcome as error:
            _logger.warning(
                "Procountor send of %s: unknown outcome: %s", move.name, error
            )
            move._procountor_fail(
                self.env._(
                    "Invoice %(move)s: Procountor received the request sent at "
                    "%(when)s but its answer was lost. Nothing is created again "
                    "before %(until)s; sending again first looks for the invoice in "
                    "Procountor, and the scheduled job finishes it by itself after "
                    "that time.",
                    move=move.name,
                    when=move._procountor_when(move.procountor_create_attempt_date),
                    until=move._procountor_when(move._procountor_grace_end()),
                ),
                state="needs_check",
            )
            move._procountor_schedule_check()
        except ProcountorError as error:
            _logger.warning("Procountor send of %s failed: %s", move.name, error)
            move._procountor_fail(
                self.env._(
                    "Invoice %(move)s: %(sentence)s",
                    move=move.name,
                    sentence=move._procountor_error_sentence(connection, error),
                ),
                state="needs_check" if move.procountor_create_attempted else "error",
            )
        except UserError as error:
            move._procountor_fail(
                self.env._(
                    "Invoice %(move)s cannot be sent to Procountor: %(reason)s",
                    move=move.name,
                    reason=error.args[0],
                ),
                state="error",
            )

    def _procountor_resolve_attempt(self, connection, client):
        """After a create whose outcome is unknown: link the invoice when
        Procountor has it; otherwise allow a new create only once the grace
        period is over (raise _ProcountorNotYet before)."""
        move = self
        existing = move._procountor_find_existing(client)
        if existing:
            move._procountor_store_remote(existing, connection)
            move._message_log(
                body=self.env._(
                    "Found this invoice in Procountor (number %(number)s) after an "
                    "earlier attempt lost its answer; linked instead of sending "
                    "again.",
                    number=move.procountor_number,
                )
            )
            move._procountor_commit()
            return
        if move._procountor_in_grace():
            raise _ProcountorNotYet(
                self.env._(
                    "Invoice %(move)s: Procountor does not show the invoice sent at "
                    "%(when)s yet, and that request may still be under way; to avoid "
                    "a second invoice in Procountor it can be sent again from "
                    "%(until)s (the scheduled job does it then by itself).",
                    move=move.name,
                    when=move._procountor_when(move.procountor_create_attempt_date),
                    until=move._procountor_when(move._procountor_grace_end()),
                )
            )
        move._message_log(
            body=self.env._(
                "Procountor did not receive the invoice sent at %(when)s (not found "
                "after the grace period); sending it again.",
                when=move._procountor_when(move.procountor_create_attempt_date),
            )
        )
        move._procountor_write({"procountor_create_attempted": False})

    def _procountor_send_steps(self, connection, client):
        """The steps of sending this invoice, as a generator: each request
        that may be in flight while other invoices are worked on (create,
        re-read, PDF, approve, send) is yielded as ``(call, args)`` and its
        answer sent back (or its error thrown in) by whoever drives the
        generator, on the thread of the database cursor. Everything else,
        database work and commits included, runs here between the yields."""
        move = self
        if not move.procountor_id and move.procountor_create_attempted:
            move._procountor_resolve_attempt(connection, client)

        if not move.procountor_id:
            iban = (move.partner_bank_id or connection.bank_account_id).acc_number
            if not connection._procountor_has_iban(client, iban):
                raise UserError(
                    self.env._(
                        "the bank account %(iban)s is not a bank account of the "
                        "Procountor company; add it in Procountor or choose another "
                        "Recipient Bank.",
                        iban=normalise_iban(iban),
                    )
                )
            partner_id, product_ids = move._procountor_remote_ids(connection)
            values = move._procountor_invoice_values(
                connection, partner_id, product_ids
            )
            shortened = move._procountor_shorten(values)
            payload = invoice_payload(
                values, getattr(move, "get_finnish_check_digit", None)
            )
            move._procountor_check_rounding(connection, payload)
            # Committed before the request: if the answer is lost or the worker
            # dies, the next attempt knows to look the invoice up first, and
            # when the grace period of this request ends.
            move._procountor_write(
                {
                    "procountor_state": "sending",
                    "procountor_connection_id": connection.id,
                    "procountor_create_attempted": True,
                    "procountor_create_attempt_date": fields.Datetime.now(),
                    "procountor_error": False,
                }
            )
            move._procountor_commit()
            try:
                remote = yield client.create_invoice, (payload,)
            except ProcountorUnknownOutcome:
                raise
            except ProcountorError:
                # A definite refusal: nothing was created.
                move._procountor_write({"procountor_create_attempted": False})
                raise
            move._procountor_store_remote(remote, connection)
            if shortened:
                move._message_log(
                    body=self.env._(
                        "Shortened to fit Procountor: %(texts)s.",
                        texts="; ".join(shortened),
                    )
                )
            move._procountor_commit()
        else:
            remote = (yield client.get_invoices, ([move.procountor_id],))[0]
            move._procountor_write({"procountor_status": remote.get("status")})

        if not totals_match(remote, move._procountor_expected_total()):
            move._procountor_total_mismatch(connection, client, remote)
            return
        connection._procountor_learn_rounding(remote)

        status = move.procountor_status
        if (
            connection.attach_pdf
            and not move.procountor_pdf_sent
            and status == "UNFINISHED"
        ):
            yield from move._procountor_upload_pdf(client)
            move._procountor_write({"procountor_pdf_sent": True})
            move._procountor_commit()
        if connection.approve_after_create and status == "UNFINISHED":
            status = yield from move._procountor_step(
                client, client.approve_invoice, ("NOT_SENT", "SENT")
            )
        if connection.send_after_approve and status == "NOT_SENT":
            status = yield from move._procountor_step(
                client, client.send_invoice, ("SENT",)
            )

        move._procountor_write(
            {
                "procountor_state": "sent",
                "procountor_sent_date": fields.Datetime.now(),
                "procountor_error": False,
            }
        )
        move._message_log(
            body=Markup("%s")
            % self.env._(
                "Sent to Procountor: number %(number)s, status %(status)s.",
                number=move.procountor_number,
                status=status,
            )
        )
        move._procountor_commit()

    def _procountor_total_mismatch(self, connection, client, remote):
        """Procountor computed another total than Odoo: learn its rounding,
        and invalidate the invoice there while it is still unfinished so
        that no half-done copy stays in Procountor."""
        self.ensure_one()
        connection._procountor_learn_rounding(remote)
        expected = self._procountor_expected_total()
        values = {
            "move": self.name,
            "remote": invoice_total(remote),
            "odoo": f"{round2(expected):.2f}",
            "currency": self.currency_id.name,
            "number": self.procountor_number,
        }
        if remote.get("status") == "UNFINISHED":
            try:
                client.invalidate_invoice(self.procountor_id)
            except ProcountorError as error:
                _logger.warning(
                    "Procountor invalidation of %s failed: %s", self.name, error
                )
            else:
                self._procountor_write(
                    {
                        "procountor_id": False,
                        "procountor_number": False,
                        "procountor_status": False,
                        "procountor_pdf_sent": False,
                    }
                )
                self._procountor_fail(
                    self.env._(
                        "Invoice %(move)s: Procountor computed a total of %(remote)s "
                        "%(currency)s but Odoo has %(odoo)s %(currency)s, so the "
                        "invoice was invalidated in Procountor (number %(number)s) "
                        "instead of being left unfinished there. %(advice)s",
                        advice=self._procountor_rounding_advice(connection),
                        **values,
                    )
                )
                return
        self._procountor_fail(
            self.env._(
                "Invoice %(move)s: Procountor computed a total of %(remote)s "
                "%(currency)s but Odoo has %(odoo)s %(currency)s; it stays unfinished "
                "in Procountor (number %(number)s) until the amounts agree.",
                **values,
            )
        )

    def _procountor_step(self, client, call, reached):
        """Approve or send, and return the new status. A 403 can mean the
        step was done by an earlier attempt whose answer got lost (API_NOTES
        §4.5): the invoice is then read again instead of failing. A
        generator, like ``_procountor_send_steps``."""
        try:
            yield call, (self.procountor_id,)
            status = reached[0]
        except ProcountorForbiddenError:
            status = client.get_invoices([self.procountor_id])[0].get("status")
            if status not in reached:
                raise
        self._procountor_write({"procountor_status": status})
        self._procountor_commit()
        return status

    def _procountor_upload_pdf(self, client):
        """Upload the invoice's PDF as a yielded request (see
        ``_procountor_send_steps``). The PDF Odoo keeps for the invoice is
        used when there is one: the one Odoo's Send dialog has just rendered
        (in the context, as ``procountor_invoice_pdf``) or the stored one.
        Otherwise the PDF is rendered here and kept on the invoice."""
        content = self.env.context.get("procountor_invoice_pdf")
        if not content and self.invoice_pdf_report_id:
            content = self.invoice_pdf_report_id.raw
        # Odoo keeps its own PDF; a second copy would only confuse.
        keep = not content
        if not content:
            content, _report_type = self.env["ir.actions.report"]._render_qweb_pdf(
                "account.account_invoices", self.ids
            )
        filename = f"{(self.name or 'invoice').replace('/', '_')}.pdf"
        yield (
            client.upload_attachment,
            (
                {
                    "name": filename,
                    "referenceType": "INVOICE",
                    "referenceId": self.procountor_id,
                    "mimeType": "application/pdf",
                    # Delivered to the customer with the invoice (API_NOTES §11).
                    "sendWithInvoice": True,
                },
                filename,
                content,
            ),
        )
        if not keep:
            return
        self.env["ir.attachment"].create(
            {
                "name": filename,
                "datas": base64.b64encode(content),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/pdf",
            }
        )
