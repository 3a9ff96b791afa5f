# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What goes to Procountor and back in words: ``procountor.invoice.values``.

Composed into ``account.move`` (see models/account_move.py), so ``self`` is
the invoice. ``_procountor_invoice_values`` is the only code that knows the
Odoo field names of an invoice: it gives plain values to
``procountor_api.payloads.invoice_payload``; ``_procountor_shorten`` cuts
their texts to Procountor's limits. The other way round,
``_procountor_error_sentence`` turns Procountor's refusal of a payload (its
field paths and codes) into the words of the Odoo form.
"""

import fnmatch
import re

from odoo import fields, models
from odoo.tools import float_round, html2plaintext

from ..procountor_api import ProcountorValidationError
from ..procountor_api.countries import iso_to_procountor_country
from ..procountor_api.payloads import language_for


class ProcountorInvoiceValues(models.AbstractModel):
    _name = "procountor.invoice.values"
    _description = "Procountor Invoice Values"

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
                    "unit": line.product_uom_id._procountor_unit()
                    if line.product_uom_id
                    else "NO_UNIT",
                    "price_unit": float_round(
                        line.price_unit,
                        precision_digits=max(currency.decimal_places, 6),
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
        if (
            rounding
            and not rounding.tax_line_id
            and not currency.is_zero(rounding.amount_currency)
        ):
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
            "due_date": fields.Date.to_string(
                move.invoice_date_due or move.invoice_date
            ),
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
                invoice_partner if invoice_partner.street else customer,
                name=customer.name,
            ),
            "delivery_address": self._procountor_address(delivery, name=delivery.name)
            if delivery and delivery != invoice_partner and delivery != customer
            else {},
            "unit_prices_include_vat": any(
                line.tax_ids[:1].price_include
                for line in move._procountor_product_lines()
            ),
            "additional_information": "\n".join(additional),
            "notes": "\n".join(notes),
            "is_refund": move.move_type == "out_refund",
            "lines": lines,
        }

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
            fit(
                row,
                "code",
                40,
                self.env._("%(row)s: product Internal Reference", row=words),
            )
            fit(row, "header_text", 512, self.env._("%(row)s: section text", row=words))
            fit(
                row,
                "explanation_text",
                512,
                self.env._("%(row)s: note text", row=words),
            )
        fit(values, "additional_information", 10000, self.env._("Terms and Conditions"))
        fit(values, "notes", 10000, self.env._("internal notes"))
        return shortened

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
            (
                "counterParty.einvoiceAddress.address",
                env._("the customer's E-invoice Address"),
            ),
            (
                "counterParty.einvoiceAddress.operator",
                env._("the customer's E-invoice Operator"),
            ),
            ("counterParty.identifier", env._("the customer's Company ID or Tax ID")),
            ("counterParty.taxCode", env._("the customer's Tax ID")),
            ("counterParty.contactPersonName", env._("the invoice contact's Name")),
            ("counterParty.counterPartyAddress.name", env._("the customer's Name")),
            (
                "counterParty.counterPartyAddress.country",
                env._("the customer's Country"),
            ),
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
            "CLOSED_FISCAL_PERIOD": env._(
                "falls in a fiscal period that is closed in Procountor"
            ),
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
            error.errors
            and any(e.get("message") == "CLOSED_FISCAL_PERIOD" for e in error.errors)
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
                parts.append(
                    self.env._("%(field)s %(reason)s", field=words, reason=reason)
                )
            elif words:
                parts.append(self.env._("%(field)s was refused", field=words))
            elif reason:
                parts.append(self.env._("the invoice %(reason)s", reason=reason))
        if not parts:
            return connection._procountor_error_text(error)
        return self.env._(
            "Procountor refused the invoice: %(problems)s.", problems="; ".join(parts)
        )
