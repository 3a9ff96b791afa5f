# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round, html2plaintext

from ..procountor_api import (
    ProcountorError,
    ProcountorForbiddenError,
    ProcountorUnknownOutcome,
)
from ..procountor_api.countries import iso_to_procountor_country
from ..procountor_api.enums import CURRENCIES
from ..procountor_api.payloads import (
    invoice_payload,
    language_for,
    normalise_iban,
    totals_match,
)

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
    procountor_pdf_sent = fields.Boolean(copy=False, readonly=True)
    procountor_batch_id = fields.Many2one(
        "procountor.send.batch", copy=False, readonly=True, index="btree_not_null"
    )
    procountor_can_send = fields.Boolean(compute="_compute_procountor_can_send")

    @api.depends("move_type", "state", "procountor_state", "company_id")
    @api.depends_context("company")
    def _compute_procountor_can_send(self):
        for move in self:
            move.procountor_can_send = (
                move.move_type in SENDABLE_TYPES
                and move.state == "posted"
                and move.procountor_state in ("not_sent", "error", "needs_check")
                and bool(move.company_id.sudo().procountor_connection_id)
            )

    def _procountor_is_remote(self):
        self.ensure_one()
        return bool(self.procountor_id) or self.procountor_state in (
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

    def _procountor_channel(self, connection):
        return (
            self.commercial_partner_id.procountor_invoice_channel
            or connection.default_invoice_channel
        )

    def _procountor_product_lines(self):
        return self.invoice_line_ids.filtered(lambda line: line.display_type == "product")

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

    def _procountor_problems_sentence(self, problems):
        return self.env._(
            "Invoice %(move)s cannot be sent to Procountor: %(problems)s.",
            move=self.name or self.display_name,
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
        for line in move._procountor_product_lines():
            tax = line.tax_ids
            product = line.product_id
            lines.append(
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
        partner_ids = customer._procountor_get_ids(connection, "CUSTOMER")
        if customer.id not in partner_ids:
            partner_ids = customer._procountor_ensure_remote(connection, "CUSTOMER")
        products = self._procountor_product_lines().product_id
        product_ids = products._procountor_get_ids(connection)
        missing = products.filtered(lambda product: product.id not in product_ids)
        if missing:
            product_ids.update(missing._procountor_ensure_remote(connection))
        return partner_ids[customer.id], product_ids

    def _procountor_send_one(self):
        """Send this invoice to Procountor, or resume where an earlier attempt
        stopped. Never raises Procountor or validation errors: the outcome is
        stored on the invoice (state, error) and in its chatter."""
        self.ensure_one()
        move = self
        if move.procountor_state == "sent":
            return  # never twice; Procountor already has it
        connection = move._procountor_connection()
        problems = move._procountor_check(connection)
        if problems:
            move._procountor_fail(move._procountor_problems_sentence(problems))
            return
        try:
            with connection._procountor_api(move) as client:
                move._procountor_send_steps(connection, client)
        except ProcountorUnknownOutcome as error:
            _logger.warning("Procountor send of %s: unknown outcome: %s", move.name, error)
            move._procountor_fail(
                self.env._(
                    "Invoice %(move)s: Procountor received the invoice but its answer was "
                    "lost. Sending again first looks for it in Procountor, so it is not "
                    "created twice.",
                    move=move.name,
                ),
                state="needs_check",
            )
        except ProcountorError as error:
            _logger.warning("Procountor send of %s failed: %s", move.name, error)
            move._procountor_fail(
                self.env._(
                    "Invoice %(move)s: %(sentence)s",
                    move=move.name,
                    sentence=connection._procountor_error_text(error),
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
                state="needs_check" if move.procountor_create_attempted else "error",
            )

    def _procountor_send_steps(self, connection, client):
        move = self
        if not move.procountor_id and move.procountor_create_attempted:
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
            else:
                move._procountor_write({"procountor_create_attempted": False})

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
            payload = invoice_payload(
                move._procountor_invoice_values(connection, partner_id, product_ids)
            )
            move._procountor_check_rounding(connection, payload)
            # Committed before the request: if the answer is lost or the worker
            # dies, the next attempt knows to look the invoice up first.
            move._procountor_write(
                {
                    "procountor_state": "sending",
                    "procountor_connection_id": connection.id,
                    "procountor_create_attempted": True,
                    "procountor_error": False,
                }
            )
            move._procountor_commit()
            try:
                remote = client.create_invoice(payload)
            except ProcountorUnknownOutcome:
                raise
            except ProcountorError:
                # A definite refusal: nothing was created.
                move._procountor_write({"procountor_create_attempted": False})
                raise
            move._procountor_store_remote(remote, connection)
            move._procountor_commit()
        else:
            remote = client.get_invoices([move.procountor_id])[0]
            move._procountor_write({"procountor_status": remote.get("status")})

        if not totals_match(remote, move._procountor_expected_total()):
            move._procountor_total_mismatch(connection, client, remote)
            return
        connection._procountor_learn_rounding(remote)

        status = move.procountor_status
        if connection.attach_pdf and not move.procountor_pdf_sent and status == "UNFINISHED":
            move._procountor_upload_pdf(client)
            move._procountor_write({"procountor_pdf_sent": True})
            move._procountor_commit()
        if connection.approve_after_create and status == "UNFINISHED":
            status = move._procountor_step(client, client.approve_invoice, ("NOT_SENT", "SENT"))
        if connection.send_after_approve and status == "NOT_SENT":
            status = move._procountor_step(client, client.send_invoice, ("SENT",))

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
        §4.5): the invoice is then read again instead of failing."""
        try:
            call(self.procountor_id)
            status = reached[0]
        except ProcountorForbiddenError:
            status = client.get_invoices([self.procountor_id])[0].get("status")
            if status not in reached:
                raise
        self._procountor_write({"procountor_status": status})
        self._procountor_commit()
        return status

    def _procountor_upload_pdf(self, client):
        content, _report_type = self.env["ir.actions.report"]._render_qweb_pdf(
            "account.account_invoices", self.ids
        )
        filename = f"{(self.name or 'invoice').replace('/', '_')}.pdf"
        client.upload_attachment(
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

    def _procountor_send_now(self):
        self.ensure_one()
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
            # The user waits: one attempt per call and a short deadline.
            self.with_context(procountor_interactive=True)._procountor_send_one()
        finally:
            self._procountor_unlock()
        if self.procountor_state == "sent":
            message, kind = self.env._(
                "Invoice %(move)s sent to Procountor (number %(number)s).",
                move=self.name,
                number=self.procountor_number,
            ), "success"
        else:
            message, kind = self.procountor_error, "danger"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Procountor"),
                "message": message,
                "type": kind,
                "sticky": kind != "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _procountor_queue(self):
        self.check_access("write")
        sendable = self.filtered(
            lambda move: move.move_type in SENDABLE_TYPES
            and move.state == "posted"
            and move.procountor_state in ("not_sent", "error", "needs_check")
        )
        skipped = len(self) - len(sendable)
        if sendable:
            batch = self.env["procountor.send.batch"].create(
                {"user_id": self.env.uid, "move_count": len(sendable)}
            )
            sendable._procountor_write(
                {"procountor_state": "to_send", "procountor_batch_id": batch.id}
            )
            self.env.ref("procountor_connector.ir_cron_procountor_send_invoices")._trigger()
        message = self.env._(
            "%(count)s invoices queued for Procountor; you will be notified when "
            "they have been sent.",
            count=len(sendable),
        )
        if skipped:
            message += " " + self.env._(
                "%(count)s skipped: not posted customer invoices, or already sent "
                "or queued.",
                count=skipped,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Procountor"),
                "message": message,
                "type": "info" if sendable else "warning",
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _cron_procountor_send_invoices(self, batch_size=20):
        """Send queued invoices a few at a time, committing after each, and
        let the scheduler run again at once while some remain."""
        domain = [("procountor_state", "=", "to_send")]
        moves = self.search(domain, limit=batch_size, order="id")
        remaining = self.search_count(domain) - len(moves)
        for move in moves:
            if not move._procountor_try_lock():
                continue  # another worker has it
            try:
                move.invalidate_recordset()
                if move.procountor_state == "to_send":
                    move._procountor_send_one()
            finally:
                move._procountor_unlock()
            move._procountor_commit()
        self.env["ir.cron"]._notify_progress(done=len(moves), remaining=remaining)
        moves.procountor_batch_id._procountor_notify_if_done()

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
