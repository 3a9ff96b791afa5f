# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The pre-send check of an invoice: ``procountor.invoice.check``.

Composed into ``account.move`` (see models/account_move.py), so ``self`` is
the invoice. ``_procountor_check`` returns the problems that keep an
invoice from Procountor, each naming the field to fix, reading only the
database: the connection, type, state, number, currency and bank account
(``_procountor_check_invoice``), what the customer's invoice channel needs
(``_procountor_check_channel``), the texts Procountor cannot store, the
customer's e-mail and e-invoice address, the dates, the cash rounding and
the lines and their taxes (``_procountor_check_lines``). The problems
become one sentence in ``_procountor_problems_sentence``. Before a create,
``_procountor_check_rounding`` refuses a payload whose total Procountor
would compute otherwise, with ``_procountor_rounding_advice`` saying what
to change.
"""

import re

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from ..procountor_api.countries import iso_to_procountor_country
from ..procountor_api.enums import CURRENCIES
from ..procountor_api.payloads import parse_methods, round2, rounding_decision

SENDABLE_TYPES = ("out_invoice", "out_refund")
# Longest payment term Procountor takes: due 0-999 days after the invoice
# date (API_NOTES §4.2 paymentInfo.dueDate).
PROCOUNTOR_MAX_TERM_DAYS = 999
_EMAIL_RE = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[^@\s<>,;\"']+$")
# Finnish e-invoice addresses: OVT (0037 + 8-digit business ID + up to 5
# characters) or an IBAN; operators: OVT-like codes or a BIC.
_EINVOICE_ADDRESS_RE = re.compile(
    r"^(0037\d{8}[0-9A-Z]{0,5}|[A-Z]{2}\d{2}[0-9A-Z]{10,30})$"
)
_EINVOICE_OPERATOR_RE = re.compile(
    r"^(0037\d{8,13}|[A-Z]{6}[0-9A-Z]{2}([0-9A-Z]{3})?)$"
)


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


def _code(value):
    """An e-invoice address or operator as compared: no spaces or hyphens,
    upper case."""
    return re.sub(r"[\s\-]", "", value or "").upper()


class ProcountorInvoiceCheck(models.AbstractModel):
    _name = "procountor.invoice.check"
    _description = "Procountor Invoice Check"

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
                rates=", ".join(
                    format(rate, "g") for rate in sorted(rates, reverse=True)
                ),
            )
        countries = connection.vat_rate_ids.filtered("sales")
        known = sorted(
            {rate.country_id.name or rate.procountor_country for rate in countries}
        )
        if known:
            return self.env._(
                "line “%(line)s”: tax %(tax)s (%(percent)s %%) is VAT of %(country)s, "
                "for which Procountor has no VAT rates; it has rates for "
                "%(countries)s (the company's Fiscal Country, or the Procountor VAT "
                "Country of the fiscal position)",
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
        database. Without a connection of the invoice's company nothing else
        is checked; then come the invoice itself, what its invoice channel
        needs, its texts, customer, dates and cash rounding, and its lines."""
        self.ensure_one()
        move = self
        problems = move._procountor_check_connection(connection)
        if problems:
            return problems
        channel = move._procountor_channel(connection)
        problems = move._procountor_check_invoice(connection)
        problems += move._procountor_check_channel(channel)
        problems += move._procountor_check_texts()
        problems += move._procountor_check_customer(connection, channel)
        problems += move._procountor_check_dates()
        problems += move._procountor_check_cash_rounding(connection)
        problems += move._procountor_check_lines(connection)
        return problems

    def _procountor_check_connection(self, connection):
        """The connection: missing, or another company's."""
        move = self
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
        return []

    def _procountor_check_invoice(self, connection):
        """The invoice itself: type, state, number, currency, bank account."""
        move = self
        problems = []
        if move.move_type not in SENDABLE_TYPES:
            problems.append(
                self.env._(
                    "only customer invoices and credit notes go to Procountor (Type)"
                )
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
                    "its Number is longer than the 40 characters Procountor keeps of "
                    "it (Number)"
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
                    "no receiving bank account: set the Recipient Bank on the invoice "
                    "or the Receiving Bank Account on connection %(connection)s",
                    connection=connection.display_name,
                )
            )
        return problems

    def _procountor_check_channel(self, channel):
        """What invoices sent by the customer's invoice channel need."""
        move = self
        problems = []
        customer = move.commercial_partner_id
        invoice_partner = move.partner_id
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
                        channel=dict(
                            self.env["res.partner"]
                            ._fields["procountor_invoice_channel"]
                            ._description_selection(self.env)
                        )[channel],
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
            if (
                customer.country_id.code == "FI"
                and not customer.procountor_einvoice_operator
            ):
                problems.append(
                    self.env._(
                        "customer %(partner)s has no E-invoice Operator, which "
                        "Finnish e-invoices need",
                        partner=customer.display_name,
                    )
                )
        if channel == "EMAIL" and not (invoice_partner.email or customer.email):
            problems.append(
                self.env._(
                    "customer %(partner)s has no Email, which invoices sent by email "
                    "need",
                    partner=invoice_partner.display_name,
                )
            )
        return problems

    def _procountor_check_lines(self, connection):
        """The product lines: at least one, one percentage VAT rate of
        Procountor's each, a Procountor unit, prices all with or all without
        VAT."""
        move = self
        problems = []
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
                        "line “%(line)s” has %(count)s taxes; Procountor needs "
                        "exactly one VAT rate per row (Taxes)",
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
                    problems.append(
                        move._procountor_rate_problem(line, taxes, connection, rates)
                    )
            if line.product_uom_id and not line.product_uom_id._procountor_unit():
                problems.append(
                    self.env._(
                        "line “%(line)s”: unit of measure %(uom)s has no Procountor "
                        "Unit",
                        line=line.name,
                        uom=line.product_uom_id.name,
                    )
                )
        if len(price_include) > 1:
            problems.append(
                self.env._(
                    "it mixes taxes included in the price with taxes added to it "
                    "(Taxes)"
                )
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
                texts.append(
                    (words, self._procountor_field_label(record, fname), value)
                )

        partners = (
            move.commercial_partner_id | move.partner_id | move.partner_shipping_id
        )
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
        address = _code(customer.procountor_einvoice_address)
        if address and finnish and not _EINVOICE_ADDRESS_RE.match(address):
            problems.append(
                self.env._(
                    "customer %(partner)s: E-invoice Address “%(address)s” is neither "
                    "an OVT code (0037 and the business ID) nor an IBAN",
                    partner=customer.display_name,
                    address=customer.procountor_einvoice_address,
                )
            )
        operator = _code(customer.procountor_einvoice_operator)
        if operator and finnish and not _EINVOICE_OPERATOR_RE.match(operator):
            problems.append(
                self.env._(
                    "customer %(partner)s: E-invoice Operator “%(operator)s” is "
                    "neither an operator code (0037…) nor a BIC",
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
                    "its Cash Rounding %(method)s adds the rounding to the tax "
                    "amount, which Procountor cannot do (it computes VAT from the "
                    "rows); choose a cash rounding method that adds a rounding line",
                    method=method.display_name or "-",
                )
            ]
        _country, rates = move._procountor_rates(connection)
        if 0.0 not in rates:
            return [
                self.env._(
                    "its Cash Rounding %(method)s is sent as a row without VAT, but "
                    "no 0 %% VAT rate was fetched from Procountor; press Fetch VAT "
                    "settings on connection %(connection)s",
                    method=method.display_name or "-",
                    connection=connection.display_name,
                )
            ]
        return []

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

    def _procountor_rounding_advice(self, connection):
        """A sentence on what makes Odoo compute Procountor's totals."""
        methods = parse_methods(connection.procountor_rounding_methods)
        per = {method.split("_", 1)[0] for method in methods}
        odoo = self.company_id.tax_calculation_rounding_method
        if per == {"row"} and odoo != "round_per_line":
            return self.env._(
                "Procountor rounds the VAT of each row; set Tax Calculation Rounding "
                "Method to Round per Line in the Accounting settings so that Odoo "
                "does too."
            )
        if per == {"total"} and odoo != "round_globally":
            return self.env._(
                "Procountor rounds the VAT once per VAT rate; set Tax Calculation "
                "Rounding Method to Round Globally in the Accounting settings so that "
                "Odoo does too."
            )
        return self.env._(
            "A VAT amount falls on half a cent, which Procountor rounds the other "
            "way; change a line's price or quantity slightly."
        )

    def _procountor_check_rounding(self, connection, payload):
        """Raise UserError, before anything is created, when no rounding
        Procountor may use gives Odoo's total for this payload."""
        self.ensure_one()
        expected = self._procountor_expected_total()
        methods = parse_methods(connection.procountor_rounding_methods)
        send, totals = rounding_decision(payload, expected, methods)
        if send:
            return
        raise UserError(
            self.env._(
                "from its lines Procountor computes a total of %(remote)s "
                "%(currency)s but Odoo has %(odoo)s %(currency)s. %(advice)s",
                remote=" or ".join(format(total, ".2f") for total in totals),
                odoo=format(round2(expected), ".2f"),
                currency=self.currency_id.name,
                advice=self._procountor_rounding_advice(connection),
            )
        )
