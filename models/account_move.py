# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import fnmatch
import logging
import re
import threading
from concurrent.futures import FIRST_COMPLETED, wait
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_round, format_datetime, html2plaintext

from ..procountor_api import (
    ProcountorError,
    ProcountorForbiddenError,
    ProcountorUnknownOutcome,
    ProcountorValidationError,
)
from ..procountor_api.countries import iso_to_procountor_country
from ..procountor_api.enums import CURRENCIES
from ..procountor_api.payloads import (
    invoice_payload,
    language_for,
    normalise_iban,
    totals_match,
)
from .procountor_connection import _SINK

_logger = logging.getLogger(__name__)

PROCOUNTOR_STATES = [
    ("not_sent", "Not sent"),
    ("to_send", "Queued"),
    ("sending", "Sending"),
    ("sent", "Transferred"),
    ("error", "Error"),
    ("needs_check", "Needs check"),
]
# pg_try_advisory_lock(class, id): a session lock that survives the commits
# made while one invoice is sent, so two workers never send the same one.
ADVISORY_LOCK_CLASS = 0x50524F43  # "PROC"
SENDABLE_TYPES = ("out_invoice", "out_refund")
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
# The Procountor ids of the customers and products of the invoices the job
# is sending on this thread: {connection id: ({partner id: id}, {product id: id})}.
_KNOWN_IDS = threading.local()
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


# Longest payment term Procountor takes: due 0-999 days after the invoice
# date (API_NOTES §4.2 paymentInfo.dueDate).
PROCOUNTOR_MAX_TERM_DAYS = 999
_EMAIL_RE = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[^@\s<>,;\"']+$")
# Finnish e-invoice addresses: OVT (0037 + 8-digit business ID + up to 5
# characters) or an IBAN; operators: OVT-like codes or a BIC.
_EINVOICE_ADDRESS_RE = re.compile(r"^(0037\d{8}[0-9A-Z]{0,5}|[A-Z]{2}\d{2}[0-9A-Z]{10,30})$")
_EINVOICE_OPERATOR_RE = re.compile(r"^(0037\d{8,13}|[A-Z]{6}[0-9A-Z]{2}([0-9A-Z]{3})?)$")


def _outside_cp1252(text):
    """The characters of ``text`` Procountor cannot store (API_NOTES §3.1)."""
    bad = []
    for char in text or "":
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            if char not in bad:
                bad.append(char)
    return bad


class _ProcountorNotYet(Exception):
    """An earlier create may still be under way in Procountor: nothing is
    created now. ``args[0]`` is the sentence for the user."""


class AccountMove(models.Model):
    _inherit = "account.move"

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
        string="Before Sending to Procountor", compute="_compute_procountor_send_problems"
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

    @api.depends(
        "move_type", "state", "procountor_state", "company_id", "procountor_create_attempt_date"
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
        labels = sorted(self._fields[name]._description_string(self.env) for name in touched)
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
        return bool(self.procountor_id or self.procountor_create_attempted) or self.procountor_state in (
            "sending",
            "needs_check",
            "sent",
        )

    # ------------------------------------------------------------------
    # Reading the invoice
    # ------------------------------------------------------------------
    def _procountor_connection(self):
        self.ensure_one()
        return self.procountor_connection_id or self.company_id.sudo().procountor_connection_id

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
        if not start and (self.procountor_create_attempted or self.procountor_state == "sending"):
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
                move._procountor_write({"procountor_create_attempt_date": move.write_date})

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
            self.env.ref("procountor_connector.ir_cron_procountor_send_invoices").sudo()._trigger(
                at=end + timedelta(seconds=30)
            )

    def _procountor_channel(self, connection):
        return (
            self.commercial_partner_id.procountor_invoice_channel
            or connection.default_invoice_channel
        )

    def _procountor_product_lines(self):
        return self.invoice_line_ids.filtered(lambda line: line.display_type == "product")

    def _procountor_text_lines(self):
        """Product, section and note lines in the order of the invoice."""
        return self.invoice_line_ids.filtered(
            lambda line: line.display_type in ("product", "line_section", "line_note")
        ).sorted(lambda line: (line.sequence, line.id))

    @staticmethod
    def _procountor_address(partner, name=None):
        street = ", ".join(part for part in (partner.street, partner.street2) if part)
        return {
            "name": name if name is not None else partner.name,
            "street": street,
            "zip": partner.zip,
            "city": partner.city,
            "country": iso_to_procountor_country(partner.country_id.code),
        }

    def _procountor_vat_country(self):
        """The country whose VAT the invoice carries: the fiscal position's
        Procountor VAT country, else the company's."""
        return (
            self.fiscal_position_id.procountor_vat_country_id
            or self.company_id.account_fiscal_country_id
            or self.company_id.country_id
        )

    def _procountor_rates(self, connection):
        """VAT rates fetched for the country whose VAT the invoice carries."""
        name = iso_to_procountor_country(self._procountor_vat_country().code)
        rates = connection.vat_rate_ids.filtered(
            lambda rate: rate.sales and rate.procountor_country == name
        )
        return name, {round(rate.percent, 2) for rate in rates}

    def _procountor_rate_problem(self, line, tax, connection, rates):
        """Why ``tax`` of ``line`` is no VAT rate of Procountor, saying what
        Procountor has rather than what to press once that was done."""
        if not connection.vat_fetch_date:
            return self.env._(
                "line “%(line)s”: tax %(tax)s (%(percent)s %%) cannot be checked "
                "against Procountor's VAT rates, which were never fetched; press "
                "Fetch VAT settings on connection %(connection)s",
                line=line.name,
                tax=tax.name,
                percent=format(tax.amount, "g"),
                connection=connection.display_name,
            )
        country = self._procountor_vat_country()
        country_name = country.name or self.env._("the company's country")
        if rates:
            return self.env._(
                "line “%(line)s”: tax %(tax)s (%(percent)s %%) is not one of "
                "Procountor's VAT rates for %(country)s: %(rates)s %% (Taxes)",
                line=line.name,
                tax=tax.name,
                percent=format(tax.amount, "g"),
                country=country_name,
                rates=", ".join(format(rate, "g") for rate in sorted(rates, reverse=True)),
            )
        countries = connection.vat_rate_ids.filtered("sales")
        known = sorted(
            {rate.country_id.name or rate.procountor_country for rate in countries}
        )
        if known:
            return self.env._(
                "line “%(line)s”: tax %(tax)s (%(percent)s %%) is VAT of %(country)s, "
                "for which Procountor has no VAT rates; it has rates for %(countries)s "
                "(the company's Fiscal Country, or the Procountor VAT Country of the "
                "fiscal position)",
                line=line.name,
                tax=tax.name,
                percent=format(tax.amount, "g"),
                country=country_name,
                countries=", ".join(known),
            )
        return self.env._(
            "line “%(line)s”: tax %(tax)s (%(percent)s %%): Procountor has no sales "
            "VAT rates at all (connection %(connection)s)",
            line=line.name,
            tax=tax.name,
            percent=format(tax.amount, "g"),
            connection=connection.display_name,
        )

    def _procountor_check(self, connection):
        """Return the problems that keep this invoice from Procountor, each
        naming the field to fix; empty when it can be sent. Reads only the
        database."""
        self.ensure_one()
        move = self
        problems = []
        if not connection:
            return [
                self.env._(
                    "company %(company)s has no Procountor connection (company form, "
                    "Integration tab)",
                    company=move.company_id.name,
                )
            ]
        if connection.company_id != move.company_id:
            return [
                self.env._(
                    "connection %(connection)s belongs to company %(other)s, not to "
                    "the invoice's company %(company)s",
                    connection=connection.display_name,
                    other=connection.company_id.name,
                    company=move.company_id.name,
                )
            ]
        if move.move_type not in SENDABLE_TYPES:
            problems.append(
                self.env._("only customer invoices and credit notes go to Procountor (Type)")
            )
        if move.state != "posted":
            problems.append(self.env._("it is not posted (Status); confirm it first"))
        if move.procountor_state == "sent":
            problems.append(
                self.env._(
                    "it was already sent to Procountor (number %(number)s)",
                    number=move.procountor_number or move.procountor_id,
                )
            )
        if move.name and len(move.name) > 40:
            problems.append(
                self.env._(
                    "its Number is longer than the 40 characters Procountor keeps of it "
                    "(Number)"
                )
            )
        if move.currency_id.name not in CURRENCIES:
            problems.append(
                self.env._(
                    "Procountor does not accept the currency %(currency)s (Currency)",
                    currency=move.currency_id.name,
                )
            )
        if not (move.partner_bank_id or connection.bank_account_id):
            problems.append(
                self.env._(
                    "no receiving bank account: set the Recipient Bank on the "
                    "invoice or the Receiving Bank Account on connection "
                    "%(connection)s",
                    connection=connection.display_name,
                )
            )

        customer = move.commercial_partner_id
        invoice_partner = move.partner_id
        channel = move._procountor_channel(connection)
        address_partner = invoice_partner if invoice_partner.street else customer
        if channel in ("MAIL", "ELECTRONIC_INVOICE"):
            missing = [
                label
                for label, value in (
                    (self.env._("Street"), address_partner.street),
                    (self.env._("ZIP"), address_partner.zip),
                    (self.env._("City"), address_partner.city),
                )
                if not value
            ]
            if missing:
                problems.append(
                    self.env._(
                        "customer %(partner)s has no %(fields)s, which invoices sent "
                        "by %(channel)s need",
                        partner=address_partner.display_name,
                        fields=", ".join(missing),
                        channel=dict(self.env["res.partner"]._fields[
                            "procountor_invoice_channel"
                        ]._description_selection(self.env))[channel],
                    )
                )
        if channel == "ELECTRONIC_INVOICE":
            if not customer.procountor_einvoice_address:
                problems.append(
                    self.env._(
                        "customer %(partner)s has no E-invoice Address",
                        partner=customer.display_name,
                    )
                )
            if customer.country_id.code == "FI" and not customer.procountor_einvoice_operator:
                problems.append(
                    self.env._(
                        "customer %(partner)s has no E-invoice Operator, which Finnish "
                        "e-invoices need",
                        partner=customer.display_name,
                    )
                )
        if channel == "EMAIL" and not (invoice_partner.email or customer.email):
            problems.append(
                self.env._(
                    "customer %(partner)s has no Email, which invoices sent by email need",
                    partner=invoice_partner.display_name,
                )
            )

        problems += move._procountor_check_texts()
        problems += move._procountor_check_customer(connection, channel)
        problems += move._procountor_check_dates()
        problems += move._procountor_check_cash_rounding(connection)

        lines = move._procountor_product_lines()
        if not lines:
            problems.append(self.env._("it has no invoice lines"))
        _country, rates = move._procountor_rates(connection)
        price_include = set()
        for line in lines:
            taxes = line.tax_ids
            if len(taxes) != 1:
                problems.append(
                    self.env._(
                        "line “%(line)s” has %(count)s taxes; Procountor needs exactly "
                        "one VAT rate per row (Taxes)",
                        line=line.name or line.product_id.display_name,
                        count=len(taxes),
                    )
                )
            else:
                price_include.add(taxes.price_include)
                if taxes.amount_type != "percent":
                    problems.append(
                        self.env._(
                            "line “%(line)s”: tax %(tax)s is not a percentage (Taxes)",
                            line=line.name,
                            tax=taxes.name,
                        )
                    )
                elif round(taxes.amount, 2) not in rates:
                    problems.append(move._procountor_rate_problem(line, taxes, connection, rates))
            if line.product_uom_id and not line.product_uom_id._procountor_unit():
                problems.append(
                    self.env._(
                        "line “%(line)s”: unit of measure %(uom)s has no Procountor Unit",
                        line=line.name,
                        uom=line.product_uom_id.name,
                    )
                )
        if len(price_include) > 1:
            problems.append(
                self.env._("it mixes taxes included in the price with taxes added to it (Taxes)")
            )
        return problems

    def _procountor_field_label(self, record, fname):
        return record._fields[fname]._description_string(self.env)

    def _procountor_texts(self):
        """(record in words, field label, text) of every text that goes to
        Procountor with this invoice, its customer and its products."""
        self.ensure_one()
        move = self
        texts = []

        def add(words, record, fname, value=None):
            value = record[fname] if value is None else value
            if value and isinstance(value, str):
                texts.append((words, self._procountor_field_label(record, fname), value))

        partners = move.commercial_partner_id | move.partner_id | move.partner_shipping_id
        for partner in partners:
            words = self.env._("contact %(partner)s", partner=partner.display_name)
            for fname in (
                "name",
                "street",
                "street2",
                "zip",
                "city",
                "email",
                "vat",
                "company_registry",
                "ref",
                "procountor_einvoice_address",
                "procountor_einvoice_operator",
            ):
                add(words, partner, fname)
        for index, line in enumerate(move._procountor_text_lines(), start=1):
            add(move._procountor_line_words(line, index), line, "name")
        for product in move._procountor_product_lines().product_id:
            words = self.env._("product %(product)s", product=product.display_name)
            add(words, product, "name")
            add(words, product, "default_code")
        words = self.env._("the invoice")
        add(words, move, "ref")
        add(words, move, "payment_reference")
        add(words, move, "narration", html2plaintext(move.narration or "").strip())
        return texts

    def _procountor_line_words(self, line, index):
        return self.env._(
            "line %(index)s “%(line)s”",
            index=index,
            line=(line.name or line.product_id.display_name or "").split("\n")[0][:40],
        )

    def _procountor_check_texts(self):
        problems = []
        for words, label, text in self._procountor_texts():
            bad = _outside_cp1252(text)
            if bad:
                problems.append(
                    self.env._(
                        "%(record)s: %(field)s contains %(chars)s, which Procountor "
                        "cannot store (it takes only Windows-1252 characters)",
                        record=words,
                        field=label,
                        chars=", ".join("“" + char + "”" for char in bad[:5]),
                    )
                )
        return problems

    def _procountor_check_customer(self, connection, channel):
        move = self
        customer = move.commercial_partner_id
        problems = []
        email_partner = move.partner_id if move.partner_id.email else customer
        email = (email_partner.email or "").strip()
        if email and (not _EMAIL_RE.match(email) or len(email) > 100):
            problems.append(
                self.env._(
                    "contact %(partner)s: Email “%(email)s” is not a single valid "
                    "e-mail address of at most 100 characters",
                    partner=email_partner.display_name,
                    email=email,
                )
            )
        if channel != "ELECTRONIC_INVOICE":
            return problems
        if not customer.country_id:
            problems.append(
                self.env._(
                    "customer %(partner)s has no Country, which e-invoices need",
                    partner=customer.display_name,
                )
            )
        finnish = customer.country_id.code in (False, "FI", "AX")
        address = re.sub(r"[\s\-]", "", customer.procountor_einvoice_address or "").upper()
        if address and finnish and not _EINVOICE_ADDRESS_RE.match(address):
            problems.append(
                self.env._(
                    "customer %(partner)s: E-invoice Address “%(address)s” is neither an "
                    "OVT code (0037 and the business ID) nor an IBAN",
                    partner=customer.display_name,
                    address=customer.procountor_einvoice_address,
                )
            )
        operator = re.sub(r"[\s\-]", "", customer.procountor_einvoice_operator or "").upper()
        if operator and finnish and not _EINVOICE_OPERATOR_RE.match(operator):
            problems.append(
                self.env._(
                    "customer %(partner)s: E-invoice Operator “%(operator)s” is neither an "
                    "operator code (0037…) nor a BIC",
                    partner=customer.display_name,
                    operator=customer.procountor_einvoice_operator,
                )
            )
        if not customer.country_id and not customer.procountor_einvoice_operator:
            problems.append(
                self.env._(
                    "customer %(partner)s has no E-invoice Operator, which e-invoices "
                    "to Finland (the default country) need",
                    partner=customer.display_name,
                )
            )
        return problems

    def _procountor_check_dates(self):
        move = self
        if not move.invoice_date:
            return [self.env._("it has no Invoice Date")]
        due = move.invoice_date_due or move.invoice_date
        if due < move.invoice_date:
            return [
                self.env._(
                    "its Due Date %(due)s is before its Invoice Date %(date)s",
                    due=due,
                    date=move.invoice_date,
                )
            ]
        if (due - move.invoice_date).days > PROCOUNTOR_MAX_TERM_DAYS:
            return [
                self.env._(
                    "its Due Date %(due)s is %(days)s days after the Invoice Date; "
                    "Procountor takes payment terms of at most %(max)s days",
                    due=due,
                    days=(due - move.invoice_date).days,
                    max=PROCOUNTOR_MAX_TERM_DAYS,
                )
            ]
        return []

    def _procountor_rounding_line(self):
        return self.line_ids.filtered(lambda line: line.display_type == "rounding")

    def _procountor_check_cash_rounding(self, connection):
        """Procountor computes the total from the rows: a rounding line is
        sent as a row without VAT; a rounding put into the tax amount cannot
        be reproduced there."""
        move = self
        rounding = move._procountor_rounding_line()
        if not rounding or move.currency_id.is_zero(rounding.amount_currency):
            return []
        method = move.invoice_cash_rounding_id
        if rounding.tax_line_id or method.strategy == "biggest_tax":
            return [
                self.env._(
                    "its Cash Rounding %(method)s adds the rounding to the tax amount, "
                    "which Procountor cannot do (it computes VAT from the rows); choose a "
                    "cash rounding method that adds a rounding line",
                    method=method.display_name or "-",
                )
            ]
        _country, rates = move._procountor_rates(connection)
        if 0.0 not in rates:
            return [
                self.env._(
                    "its Cash Rounding %(method)s is sent as a row without VAT, but no 0 %% "
                    "VAT rate was fetched from Procountor; press Fetch VAT settings on "
                    "connection %(connection)s",
                    method=method.display_name or "-",
                    connection=connection.display_name,
                )
            ]
        return []

    def _procountor_shorten(self, values):
        """Cut the texts of ``values`` to Procountor's limits (API_NOTES §4.1,
        §4.3, §4.4) and return what was cut, in words, for the chatter."""
        shortened = []

        def fit(container, key, limit, what):
            text = container.get(key) or ""
            if len(text) > limit:
                container[key] = text[:limit]
                shortened.append(
                    self.env._(
                        "%(what)s (%(length)s characters, %(limit)s kept)",
                        what=what,
                        length=len(text),
                        limit=limit,
                    )
                )

        customer = values["customer"]
        fit(customer, "name", 80, self.env._("customer name"))
        fit(customer, "contact_person", 70, self.env._("contact person"))
        for key, words in (
            ("address", self.env._("customer address")),
            ("billing_address", self.env._("invoice address")),
            ("delivery_address", self.env._("delivery address")),
        ):
            address = customer.get(key) if key == "address" else values.get(key)
            if not address:
                continue
            for field_key, limit, label in (
                ("name", 80, self.env._("Name")),
                ("street", 80, self.env._("Street")),
                ("zip", 20, self.env._("ZIP")),
                ("city", 40, self.env._("City")),
            ):
                fit(address, field_key, limit, f"{words}: {label}")
        for index, row in enumerate(values["lines"], start=1):
            words = self.env._(
                "row %(index)s “%(line)s”",
                index=index,
                line=(row.get("name") or "").split("\n")[0][:40],
            )
            fit(row, "name", 200, self.env._("%(row)s: Label", row=words))
            fit(row, "code", 40, self.env._("%(row)s: product Internal Reference", row=words))
            fit(row, "header_text", 512, self.env._("%(row)s: section text", row=words))
            fit(row, "explanation_text", 512, self.env._("%(row)s: note text", row=words))
        fit(values, "additional_information", 10000, self.env._("Terms and Conditions"))
        fit(values, "notes", 10000, self.env._("internal notes"))
        return shortened

    def _procountor_problems_sentence(self, problems):
        return self.env._(
            "Invoice %(move)s cannot be sent to Procountor: %(problems)s.",
            move=self._procountor_label(),
            problems="; ".join(problems),
        )

    def _procountor_expected_total(self):
        """The total Procountor must compute, in the invoice currency: negative
        for credit notes (API_NOTES §4.6)."""
        sign = -1 if self.move_type == "out_refund" else 1
        return sign * self.amount_total

    def _procountor_invoice_values(self, connection, partner_id, product_ids):
        """Plain values for ``procountor_api.payloads.invoice_payload``: the
        only code that knows the Odoo field names of an invoice."""
        self.ensure_one()
        move = self
        customer = move.commercial_partner_id
        invoice_partner = move.partner_id
        currency = move.currency_id
        lines = []
        # Sections become the header text of the next row, notes the
        # explanation printed under the row before them (API_NOTES §4.3);
        # texts before the first row go on it, texts after the last under it.
        pending_header = []
        for line in move._procountor_text_lines():
            if line.display_type != "product":
                text = (line.name or "").strip()
                if not text:
                    continue
                if line.display_type == "line_note" and lines:
                    lines[-1].setdefault("explanation_lines", []).append(text)
                else:
                    pending_header.append(text)
                continue
            tax = line.tax_ids
            product = line.product_id
            row = {
                "header_text": "\n".join(pending_header),
            }
            pending_header = []
            lines.append(row)
            row.update(
                {
                    "product_id": product_ids.get(product.id),
                    "code": product.default_code or "",
                    "name": line.name or product.display_name,
                    "quantity": line.quantity,
                    "unit": line.product_uom_id._procountor_unit() if line.product_uom_id else "NO_UNIT",
                    "price_unit": float_round(
                        line.price_unit, precision_digits=max(currency.decimal_places, 6)
                    ),
                    "discount": line.discount,
                    "vat_percent": round(tax.amount, 2),
                    "vat_status": tax.procountor_vat_status_id.code or None,
                }
            )
        if pending_header and lines:
            lines[-1].setdefault("explanation_lines", []).extend(pending_header)
        for row in lines:
            row["explanation_text"] = "\n".join(row.pop("explanation_lines", []))
        rounding = move._procountor_rounding_line()
        if rounding and not rounding.tax_line_id and not currency.is_zero(rounding.amount_currency):
            # Cash rounding as a row without VAT, so Procountor's total is
            # Odoo's (credit notes negate the quantity, see invoice_payload).
            sign = 1 if move.move_type == "out_refund" else -1
            lines.append(
                {
                    "product_id": None,
                    "code": "",
                    "name": rounding.name or move.invoice_cash_rounding_id.name or "",
                    "quantity": 1,
                    "unit": "NO_UNIT",
                    "price_unit": sign * rounding.amount_currency,
                    "discount": 0.0,
                    "vat_percent": 0.0,
                    "vat_status": None,
                    "header_text": "",
                    "explanation_text": "",
                }
            )
        fiscal_position = move.fiscal_position_id
        additional = []
        notes = []
        if move.move_type == "out_refund" and move.reversed_entry_id:
            credited = move.reversed_entry_id
            additional.append(
                self.env._("Credit note for invoice %(number)s.", number=credited.name)
            )
            notes.append(
                self.env._(
                    "Credits invoice %(number)s (Procountor number %(remote)s).",
                    number=credited.name,
                    remote=credited.procountor_number or "-",
                )
            )
        narration = html2plaintext(move.narration or "").strip()
        if narration:
            additional.append(narration)
        if move.ref:
            notes.append(self.env._("Reference: %(ref)s", ref=move.ref))
        iban = (move.partner_bank_id or connection.bank_account_id).acc_number
        delivery = move.partner_shipping_id
        company_currency = move.company_id.currency_id
        return {
            "number": move.name,
            "date": fields.Date.to_string(move.invoice_date),
            "due_date": fields.Date.to_string(move.invoice_date_due or move.invoice_date),
            "currency": currency.name,
            "currency_rate": 1
            if currency == company_currency
            else round(move.invoice_currency_rate, 6),
            "iban": iban,
            "reference": move.payment_reference or "",
            "channel": move._procountor_channel(connection),
            "language": language_for(
                invoice_partner.lang or customer.lang, connection.fallback_language
            ),
            "vat_status": fiscal_position.procountor_vat_status_id.code or None,
            "vat_country": iso_to_procountor_country(
                fiscal_position.procountor_vat_country_id.code
            ),
            "partner_id": partner_id,
            "customer": {
                "name": customer.name,
                "identifier": customer.company_registry or customer.vat or "",
                "tax_code": customer.vat or "",
                "email": invoice_partner.email or customer.email or "",
                "customer_number": customer.ref or "",
                "einvoice_address": customer.procountor_einvoice_address or "",
                "einvoice_operator": customer.procountor_einvoice_operator or "",
                "contact_person": invoice_partner.name
                if invoice_partner != customer
                else "",
                "address": self._procountor_address(customer),
            },
            "billing_address": self._procountor_address(
                invoice_partner if invoice_partner.street else customer, name=customer.name
            ),
            "delivery_address": self._procountor_address(delivery, name=delivery.name)
            if delivery and delivery != invoice_partner and delivery != customer
            else {},
            "unit_prices_include_vat": any(
                line.tax_ids[:1].price_include for line in move._procountor_product_lines()
            ),
            "additional_information": "\n".join(additional),
            "notes": "\n".join(notes),
            "is_refund": move.move_type == "out_refund",
            "lines": lines,
        }

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
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
                    "number (%(numbers)s); keep one in Procountor and invalidate the others.",
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
            product_ids = {product.id: known_products[product.id] for product in products}
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
            _logger.warning("Procountor send of %s: unknown outcome: %s", move.name, error)
            move._procountor_fail(
                self.env._(
                    "Invoice %(move)s: Procountor received the request sent at %(when)s "
                    "but its answer was lost. Nothing is created again before %(until)s; "
                    "sending again first looks for the invoice in Procountor, and the "
                    "scheduled job finishes it by itself after that time.",
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

    def _procountor_field_words(self, path):
        """A Procountor field path of an invoice (``counterParty.email``,
        ``invoiceRows[1].vatPercent``) in the words of the Odoo form."""
        env = self.env
        row = re.match(r"^invoiceRows\[(\d+)\]\.?(.*)$", path or "")
        if row:
            index, field = int(row.group(1)) + 1, row.group(2)
            label = {
                "vatPercent": env._("Taxes"),
                "vatStatus": env._("Taxes"),
                "product": env._("Label"),
                "productCode": env._("product Internal Reference"),
                "productId": env._("Product"),
                "unit": env._("Unit of Measure"),
                "unitPrice": env._("Price"),
                "quantity": env._("Quantity"),
                "discountPercent": env._("Discount"),
                "headerText": env._("section text"),
                "explanationText": env._("note text"),
            }.get(field, env._("the row"))
            return env._("%(field)s of row %(index)s", field=label, index=index)
        patterns = [
            ("counterParty.email", env._("the customer's Email")),
            ("counterParty.einvoiceAddress.address", env._("the customer's E-invoice Address")),
            ("counterParty.einvoiceAddress.operator", env._("the customer's E-invoice Operator")),
            ("counterParty.identifier", env._("the customer's Company ID or Tax ID")),
            ("counterParty.taxCode", env._("the customer's Tax ID")),
            ("counterParty.contactPersonName", env._("the invoice contact's Name")),
            ("counterParty.counterPartyAddress.name", env._("the customer's Name")),
            ("counterParty.counterPartyAddress.country", env._("the customer's Country")),
            ("counterParty.counterPartyAddress*", env._("the customer's address")),
            ("counterParty*", env._("the customer")),
            ("billingAddress*", env._("the invoice address")),
            ("deliveryAddress*", env._("the Delivery Address")),
            ("paymentInfo.dueDate", env._("the Due Date")),
            ("paymentInfo.bankAccount*", env._("the Recipient Bank")),
            ("paymentInfo.bankReferenceCode*", env._("the Payment Reference")),
            ("paymentInfo.currency*", env._("the Currency")),
            ("paymentInfo*", env._("the payment information")),
            ("date", env._("the Invoice Date")),
            ("originalInvoiceNumber", env._("the Number")),
            ("additionalInformation", env._("the Terms and Conditions")),
            ("notes", env._("the Customer Reference")),
            ("partnerId", env._("the customer's Procountor Customer ID")),
            ("vatStatus", env._("the Fiscal Position")),
            ("vatCountry", env._("the Fiscal Position")),
            ("language", env._("the customer's Language")),
            ("invoiceChannel", env._("the customer's Procountor invoice channel")),
        ]
        for pattern, words in patterns:
            if fnmatch.fnmatchcase(path or "", pattern):
                return words
        return False

    def _procountor_code_words(self, code):
        env = self.env
        return {
            "CLOSED_FISCAL_PERIOD": env._("falls in a fiscal period that is closed in Procountor"),
            "DUE_DATE_BEFORE_BILL_DATE": env._("is before the Invoice Date"),
            "REQUIRED": env._("is missing"),
            "FIELD_REQUIRED": env._("is missing"),
            "TOO_LONG": env._("is longer than Procountor allows"),
            "OUT_OF_RANGE": env._("is outside what Procountor allows"),
            "INVALID_VALUE": env._("is not valid for Procountor"),
            "INVALID": env._("is not valid for Procountor"),
            "INVALID_EMAIL": env._("is not a valid e-mail address"),
            "INVALID_DATE": env._("is not a valid date"),
            "NOT_FOUND": env._("is not known to Procountor"),
            "INVALID_VAT_PERCENT": env._("is not a VAT rate enabled in Procountor"),
            "CHARACTERS_OUTSIDE_WINDOWS_1252": env._(
                "contains characters Procountor cannot store"
            ),
        }.get((code or "").strip().upper(), False)

    def _procountor_error_sentence(self, connection, error):
        """Procountor's refusal in words: its field paths become the labels of
        the Odoo form, its codes sentences (the raw answer is in the log)."""
        if not isinstance(error, ProcountorValidationError) and not (
            error.errors and any(e.get("message") == "CLOSED_FISCAL_PERIOD" for e in error.errors)
        ):
            return connection._procountor_error_text(error)
        parts = []
        for item in error.errors or []:
            field, code = item.get("field"), item.get("message")
            words = self._procountor_field_words(field)
            reason = self._procountor_code_words(code)
            if code == "DUE_DATE_BEFORE_BILL_DATE" and not words:
                words = self.env._("the Due Date")
            if code == "CLOSED_FISCAL_PERIOD" and not words:
                words = self.env._("the Invoice Date")
            if words and reason:
                parts.append(self.env._("%(field)s %(reason)s", field=words, reason=reason))
            elif words:
                parts.append(self.env._("%(field)s was refused", field=words))
            elif reason:
                parts.append(self.env._("the invoice %(reason)s", reason=reason))
        if not parts:
            return connection._procountor_error_text(error)
        return self.env._(
            "Procountor refused the invoice: %(problems)s.", problems="; ".join(parts)
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
                    "earlier attempt lost its answer; linked instead of sending again.",
                    number=move.procountor_number,
                )
            )
            move._procountor_commit()
            return
        if move._procountor_in_grace():
            raise _ProcountorNotYet(
                self.env._(
                    "Invoice %(move)s: Procountor does not show the invoice sent at "
                    "%(when)s yet, and that request may still be under way; to avoid a "
                    "second invoice in Procountor it can be sent again from %(until)s "
                    "(the scheduled job does it then by itself).",
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
            values = move._procountor_invoice_values(connection, partner_id, product_ids)
            shortened = move._procountor_shorten(values)
            payload = invoice_payload(values, getattr(move, "get_finnish_check_digit", None))
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
        if connection.attach_pdf and not move.procountor_pdf_sent and status == "UNFINISHED":
            yield from move._procountor_upload_pdf(client)
            move._procountor_write({"procountor_pdf_sent": True})
            move._procountor_commit()
        if connection.approve_after_create and status == "UNFINISHED":
            status = yield from move._procountor_step(
                client, client.approve_invoice, ("NOT_SENT", "SENT")
            )
        if connection.send_after_approve and status == "NOT_SENT":
            status = yield from move._procountor_step(client, client.send_invoice, ("SENT",))

        move._procountor_write(
            {
                "procountor_state": "sent",
                "procountor_sent_date": fields.Datetime.now(),
                "procountor_error": False,
            }
        )
        move._message_log(
            body=Markup("%s") % self.env._(
                "Sent to Procountor: number %(number)s, status %(status)s.",
                number=move.procountor_number,
                status=status,
            )
        )
        move._procountor_commit()

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
        """Render the PDF here, upload it as a yielded request (see
        ``_procountor_send_steps``) and keep it on the invoice."""
        content, _report_type = self.env["ir.actions.report"]._render_qweb_pdf(
            "account.account_invoices", self.ids
        )
        filename = f"{(self.name or 'invoice').replace('/', '_')}.pdf"
        yield client.upload_attachment, (
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
        )
        self.env["ir.attachment"].create(
            {
                "name": filename,
                "datas": base64.b64encode(content),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/pdf",
            }
        )

    # ------------------------------------------------------------------
    # Buttons and the queue
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
                "next": next_action or {"type": "ir.actions.client", "tag": "soft_reload"},
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
        return self._procountor_notification(self.procountor_error, "danger", next_action)

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
                    "Invoice %(move)s was already sent to Procountor (number %(number)s).",
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
            lambda move: not move._procountor_skip_reason()
            and move.procountor_state in ("not_sent", "error", "needs_check")
        )
        skipped = self - sendable
        if sendable:
            batch = self.env["procountor.send.batch"].create(
                {"user_id": self.env.uid, "move_count": len(sendable)}
            )
            sendable._procountor_write(
                {"procountor_state": "to_send", "procountor_batch_id": batch.id}
            )
            self.env.ref("procountor_connector.ir_cron_procountor_send_invoices")._trigger()
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
                reasons.append(self.env._("and %(count)s more", count=len(skipped) - 10))
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
                ("procountor_create_attempt_date", "<", now - self._procountor_create_grace()),
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
            moves = self.filtered(lambda move, c=connection: move._procountor_connection() == c)
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
                        flow.throw(error) if error is not None else flow.send(future.result())
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

    def button_draft(self):
        remote = self.filtered(lambda move: move._procountor_is_remote())
        confirmed = self.env.context.get("procountor_reset_confirmed")
        if remote and not confirmed and self.env.context.get("procountor_reset_dialog"):
            # Odoo's own Reset to Draft button (see the form view) asks first.
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.move",
                "res_id": remote[0].id,
                "views": [[self.env.ref("procountor_connector.view_move_reset_confirm").id, "form"]],
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
