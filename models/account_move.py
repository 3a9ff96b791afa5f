# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The invoice's Procountor fields, buttons and guard: ``account.move``.

The one class of the addon that inherits ``account.move``. It holds the
connector's fields on an invoice (sending, the status in Procountor, where
an imported vendor bill came from), their computes, the guard that keeps
users from writing the connector's bookkeeping, and the buttons. The work
is done by the mixins composed into it, where ``self`` is the invoice too:

- models/procountor_invoice_check.py: the pre-send check and its sentences;
- models/procountor_invoice_values.py: the payload's values, shortening,
  and Procountor's refusals in the words of the form;
- models/procountor_invoice_send.py: sending one invoice exactly once;
- models/procountor_invoice_send_job.py: the queue, the scheduled job and
  the concurrent send.
"""

from collections import Counter

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .procountor_invoice_check import SENDABLE_TYPES
from .procountor_payment_import import COUNT_KEYS

PROCOUNTOR_STATES = [
    ("not_sent", "Not sent"),
    ("to_send", "Queued"),
    ("sending", "Sending"),
    ("sent", "Transferred"),
    ("error", "Error"),
    ("needs_check", "Needs check"),
]
# The connector's bookkeeping on an invoice: written only by its own code
# (``_procountor_write``), never by users through the ORM or RPC.
PROCOUNTOR_BOOKKEEPING_FIELDS = frozenset(
    {
        "procountor_connection_id",
        "procountor_state",
        "procountor_id",
        "procountor_number",
        "procountor_status",
        "procountor_sent_date",
        "procountor_create_attempted",
        "procountor_create_attempt_date",
        "procountor_check_date",
        "procountor_pdf_sent",
        "procountor_batch_id",
    }
)


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = [
        "account.move",
        "procountor.invoice.check",
        "procountor.invoice.values",
        "procountor.invoice.send",
        "procountor.invoice.send.job",
    ]

    # All copy=False: a duplicated invoice must never look sent.
    procountor_connection_id = fields.Many2one(
        "procountor.connection",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )
    procountor_state = fields.Selection(
        PROCOUNTOR_STATES,
        string="Procountor",
        default="not_sent",
        required=True,
        copy=False,
        readonly=True,
        index=True,
    )
    procountor_id = fields.Integer(
        string="Procountor ID", copy=False, readonly=True, index="btree_not_null"
    )
    procountor_number = fields.Char(copy=False, readonly=True)
    procountor_status = fields.Char(
        copy=False,
        readonly=True,
        help="The invoice's status in Procountor as last seen (UNFINISHED, "
        "NOT_SENT, SENT, PAID...).",
    )
    procountor_sent_date = fields.Datetime(
        string="Sent to Procountor", copy=False, readonly=True
    )
    procountor_error = fields.Text(copy=False, readonly=True)
    procountor_create_attempted = fields.Boolean(
        copy=False,
        readonly=True,
        help="A create request left for Procountor without a definite answer "
        "yet: before anything is created again, Procountor is searched for it.",
    )
    procountor_create_attempt_date = fields.Datetime(
        string="Last Create Request",
        copy=False,
        readonly=True,
        help="When the last create request left for Procountor; no new create "
        "is made until the grace period after it has passed.",
    )
    procountor_check_date = fields.Datetime(
        string="Last Automatic Check",
        copy=False,
        readonly=True,
        help="When the scheduled job last tried to resolve this invoice.",
    )
    procountor_pdf_sent = fields.Boolean(copy=False, readonly=True)
    procountor_batch_id = fields.Many2one(
        "procountor.send.batch", copy=False, readonly=True, index="btree_not_null"
    )
    procountor_can_send = fields.Boolean(compute="_compute_procountor_can_send")
    # What the pre-send check finds before anyone presses Send (database only).
    procountor_send_problems = fields.Text(
        string="Before Sending to Procountor",
        compute="_compute_procountor_send_problems",
    )
    procountor_fix_partner = fields.Boolean(
        string="Customer to Fix", compute="_compute_procountor_send_problems"
    )
    procountor_fix_tax = fields.Boolean(
        string="Tax to Fix", compute="_compute_procountor_send_problems"
    )
    procountor_fix_connection = fields.Boolean(
        string="Connection to Fix", compute="_compute_procountor_send_problems"
    )

    # Where an imported vendor bill came from in Procountor. The connection
    # is the shared ``procountor_connection_id``; the Procountor invoice id
    # has its own field rather than ``procountor_id``, which means "this Odoo
    # invoice was sent to Procountor" to the sending and payment code.
    # Procountor ids are unique per Procountor company (API_NOTES §3.2), so
    # the pair (connection, purchase invoice id) identifies a bill.
    # All copy=False: a duplicated bill is a new Odoo document, not an import.
    procountor_bill_id = fields.Integer(
        string="Procountor Purchase Invoice ID",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The purchase invoice in Procountor this vendor bill was imported from.",
    )
    procountor_receipt_id = fields.Integer(
        string="Procountor Ledger Receipt ID",
        copy=False,
        readonly=True,
        help="The ledger receipt whose accounts and amounts the bill lines were built "
        "from.",
    )
    procountor_receipt_version = fields.Char(
        string="Procountor Ledger Receipt Version", copy=False, readonly=True
    )
    procountor_receipt_checksum = fields.Char(copy=False, readonly=True)
    procountor_bill_changed = fields.Boolean(
        string="Changed in Procountor",
        copy=False,
        readonly=True,
        help="Procountor changed the bill's ledger receipt after the import; the "
        "Odoo bill was left as it was.",
    )

    # Procountor's invoice status in words (API_NOTES §4.5, Appendix A).
    procountor_status_text = fields.Char(
        string="Status in Procountor",
        compute="_compute_procountor_status_text",
        help="The invoice's status in Procountor as last seen.",
    )

    _sql_constraints = [
        (
            "procountor_bill_unique",
            "UNIQUE(procountor_connection_id, procountor_bill_id)",
            "This Procountor purchase invoice was already imported as another vendor "
            "bill.",
        ),
    ]

    @api.depends(
        "move_type",
        "state",
        "procountor_state",
        "company_id",
        "procountor_create_attempt_date",
    )
    @api.depends_context("company")
    def _compute_procountor_can_send(self):
        for move in self:
            move.procountor_can_send = (
                move.move_type in SENDABLE_TYPES
                and move.state == "posted"
                and (
                    move.procountor_state in ("not_sent", "error", "needs_check")
                    or move._procountor_is_stuck()
                )
                and bool(move.company_id.sudo().procountor_connection_id)
            )

    # Also reads the customer, lines, taxes and connection: computed on each
    # read of the form, never stored.
    @api.depends("move_type", "state", "procountor_state", "company_id")
    @api.depends_context("company")
    def _compute_procountor_send_problems(self):
        send = self.env["account.move.send"]
        for move in self:
            by_record = {}
            if (
                move.move_type in SENDABLE_TYPES
                and move.state == "posted"
                and move.procountor_state == "not_sent"
                and move.company_id.sudo().procountor_connection_id
            ):
                by_record = send._procountor_problems_by_record(move)
            models_to_fix = {record._name for record in by_record}
            problems = [problem for group in by_record.values() for problem in group]
            move.procountor_send_problems = (
                move._procountor_problems_sentence(problems) if problems else False
            )
            move.procountor_fix_partner = "res.partner" in models_to_fix
            move.procountor_fix_tax = "account.tax" in models_to_fix
            move.procountor_fix_connection = "procountor.connection" in models_to_fix

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

    def action_procountor_open_fix(self):
        """Open the records of one kind (``procountor_fix_model`` in the
        context) that the pre-send check asks to change."""
        self.ensure_one()
        model = self.env.context.get("procountor_fix_model")
        if model not in ("res.partner", "account.tax", "procountor.connection"):
            return False
        send = self.env["account.move.send"]
        records = self.env[model].browse()
        for record in send._procountor_problems_by_record(self):
            if record._name == model:
                records |= record
        text = send._procountor_action_text(model, len(records))
        return records._get_records_action(name=text)

    # ------------------------------------------------------------------
    # Only the connector writes its bookkeeping
    # ------------------------------------------------------------------
    def _procountor_guard_bookkeeping(self, fnames, move_types=()):
        """Refuse a user's change of the connector's fields: a hand-written
        state, ID or connection could send an invoice twice or through
        another company's Procountor. Code running as superuser (the
        connector itself, data loading) passes."""
        if self.env.su:
            return
        touched = PROCOUNTOR_BOOKKEEPING_FIELDS.intersection(fnames)
        if not touched:
            return
        labels = sorted(
            self._fields[name]._description_string(self.env) for name in touched
        )
        raise AccessError(
            self.env._(
                "The Procountor fields of invoices (%(fields)s) are kept by the "
                "Procountor connector and cannot be changed by hand.",
                fields=", ".join(labels),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        default_type = self.env.context.get("default_move_type", "entry")
        for vals in vals_list:
            fnames = {
                name
                for name, value in vals.items()
                if name in PROCOUNTOR_BOOKKEEPING_FIELDS
                and value not in (False, None, 0, "not_sent")
            }
            # The import of Procountor vendor bills names the connection the
            # bill came through; that never lets anything be sent.
            if vals.get("move_type", default_type) not in SENDABLE_TYPES:
                fnames.discard("procountor_connection_id")
            self._procountor_guard_bookkeeping(fnames)
        return super().create(vals_list)

    def write(self, vals):
        self._procountor_guard_bookkeeping(vals)
        return super().write(vals)

    def _procountor_is_remote(self):
        self.ensure_one()
        return bool(
            self.procountor_id or self.procountor_create_attempted
        ) or self.procountor_state in (
            "sending",
            "needs_check",
            "sent",
        )

    # ------------------------------------------------------------------
    # Reading the invoice
    # ------------------------------------------------------------------
    def _procountor_connection(self):
        self.ensure_one()
        return (
            self.procountor_connection_id
            or self.company_id.sudo().procountor_connection_id
        )

    def _procountor_label(self):
        """The invoice as the user sees it: its number, or for a draft its
        kind, customer and total."""
        self.ensure_one()
        if self.name and self.name != "/" and self.state != "draft":
            return self.name
        kind = dict(self._fields["move_type"]._description_selection(self.env)).get(
            self.move_type, self.move_type
        )
        return self.env._(
            "the draft %(kind)s for %(partner)s (%(amount)s %(currency)s)",
            kind=kind.lower(),
            partner=self.partner_id.display_name or "-",
            amount=format(self.amount_total, ".2f"),
            currency=self.currency_id.name,
        )

    def _procountor_channel(self, connection):
        return (
            self.commercial_partner_id.procountor_invoice_channel
            or connection.default_invoice_channel
        )

    def _procountor_product_lines(self):
        return self.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )

    def _procountor_text_lines(self):
        """Product, section and note lines in the order of the invoice."""
        return self.invoice_line_ids.filtered(
            lambda line: line.display_type in ("product", "line_section", "line_note")
        ).sorted(lambda line: (line.sequence, line.id))

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def action_procountor_send(self):
        """Send one invoice at once; queue several for the background job."""
        self.check_access("write")
        if len(self) == 1:
            return self._procountor_send_now()
        return self._procountor_queue()

    def _procountor_notification(self, message, kind, next_action=None, title=None):
        """A notification of the connector; a sticky one unless all went well."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title or self.env._("Procountor"),
                "message": message,
                "type": kind,
                "sticky": kind != "success",
                "next": next_action
                or {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _procountor_outcome_notification(self, next_action=None):
        """How sending this one invoice went, then ``next_action``."""
        self.ensure_one()
        if self.procountor_state == "sent":
            return self._procountor_notification(
                self.env._(
                    "Invoice %(move)s sent to Procountor (number %(number)s).",
                    move=self.name,
                    number=self.procountor_number,
                ),
                "success",
                next_action,
            )
        return self._procountor_notification(
            self.procountor_error, "danger", next_action
        )

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
        Import = self.env["procountor.payment.import"]
        for connection, moves in self.grouped("procountor_connection_id").items():
            if not connection:
                continue
            moves = moves.filtered_domain(Import._domain(connection))
            if not moves:
                continue
            eligible += len(moves)
            connection = connection.with_company(connection.company_id)
            run = Import._run(connection, moves)
            counts.update(run.counts)
            if run.failure:
                failures.append(run.failure)
        return Import._notification(counts, failures, skipped=len(self) - eligible)

    def button_draft(self):
        remote = self.filtered(lambda move: move._procountor_is_remote())
        confirmed = self.env.context.get("procountor_reset_confirmed")
        if remote and not confirmed and self.env.context.get("procountor_reset_dialog"):
            # Odoo's own Reset to Draft button (see the form view) asks first.
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.move",
                "res_id": remote[0].id,
                "views": [
                    [
                        self.env.ref("procountor_connector.view_move_reset_confirm").id,
                        "form",
                    ]
                ],
                "target": "new",
                "name": remote[0].display_name,
            }
        if remote and not confirmed:
            raise UserError(
                self.env._(
                    "Invoice %(move)s is in Procountor (number %(number)s) and stays "
                    "there: resetting it to draft here changes nothing in Procountor, "
                    "and it will not be sent again. Use the Reset to Draft button "
                    "and confirm to continue.",
                    move=remote[0].name,
                    number=remote[0].procountor_number or "-",
                )
            )
        return super().button_draft()

    def action_procountor_reset_to_draft(self):
        """Reset to draft after the user confirmed the warning."""
        return self.with_context(procountor_reset_confirmed=True).button_draft()
