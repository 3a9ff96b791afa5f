# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..procountor_api import ProcountorError, registers
from .procountor_connection import INVOICE_CHANNELS

_logger = logging.getLogger(__name__)


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "procountor.link.mixin"]

    procountor_link_ids = fields.One2many(
        "procountor.partner.link", "partner_id", string="Procountor IDs"
    )
    procountor_customer_id = fields.Integer(
        string="Procountor Customer ID",
        compute="_compute_procountor_ids",
        inverse="_inverse_procountor_customer_id",
        search="_search_procountor_customer_id",
        help="This contact's customer ID in the Procountor company of the "
        "current company's connection.",
    )
    procountor_supplier_id = fields.Integer(
        string="Procountor Supplier ID",
        compute="_compute_procountor_ids",
        inverse="_inverse_procountor_supplier_id",
        search="_search_procountor_supplier_id",
        help="This contact's supplier ID in the Procountor company of the "
        "current company's connection.",
    )
    procountor_einvoice_address = fields.Char(
        string="E-invoice Address",
        help="The receiver's e-invoice address (OVT / EDI identifier or IBAN).",
    )
    procountor_einvoice_operator = fields.Char(
        string="E-invoice Operator",
        help="The receiver's e-invoice operator (intermediator) code, "
        "required for Finnish receivers.",
    )
    procountor_invoice_channel = fields.Selection(
        INVOICE_CHANNELS,
        help="How Procountor delivers this customer's invoices; empty uses the "
        "connection's default.",
    )
    # Odoo's Send dialog offers and pre-selects the customer's preference
    # (models/account_move_send.py).
    invoice_sending_method = fields.Selection(
        selection_add=[("procountor", "by Procountor")],
    )

    @api.depends_context("company")
    @api.depends("procountor_link_ids")
    def _compute_procountor_ids(self):
        connection = self.env.company.procountor_connection_id
        customers = suppliers = {}
        if connection and self.ids:
            customers = self._procountor_get_ids(connection, "CUSTOMER")
            suppliers = self._procountor_get_ids(connection, "SUPPLIER")
        for partner in self:
            partner.procountor_customer_id = customers.get(partner.id, 0)
            partner.procountor_supplier_id = suppliers.get(partner.id, 0)

    def _procountor_search_links(self, partner_type, operator, value):
        connection = self.env.company.procountor_connection_id
        link_domain = [
            ("connection_id", "=", connection.id),
            ("partner_type", "=", partner_type),
        ]
        if operator in ("=", "!=") and not value:
            # "has no ID" / "has an ID"
            return [
                (
                    "procountor_link_ids",
                    "not any" if operator == "=" else "any",
                    link_domain,
                )
            ]
        return [
            (
                "procountor_link_ids",
                "any",
                link_domain + [("procountor_id", operator, value)],
            )
        ]

    def _search_procountor_customer_id(self, operator, value):
        return self._procountor_search_links("CUSTOMER", operator, value)

    def _search_procountor_supplier_id(self, operator, value):
        return self._procountor_search_links("SUPPLIER", operator, value)

    def _inverse_procountor_customer_id(self):
        self._procountor_write_link_ids(
            {partner.id: partner.procountor_customer_id for partner in self}, "CUSTOMER"
        )

    def _inverse_procountor_supplier_id(self):
        self._procountor_write_link_ids(
            {partner.id: partner.procountor_supplier_id for partner in self}, "SUPPLIER"
        )

    # ------------------------------------------------------------------
    # The contact in Procountor's business partner register (API_NOTES §7)
    # ------------------------------------------------------------------
    def _procountor_ensure_remote(self, connection, partner_type="CUSTOMER"):
        """Make sure the commercial partners of ``self`` exist in Procountor.

        Works on ``self.commercial_partner_id`` (deduplicated) and returns
        ``{commercial partner id: Procountor id}`` for all of them. A partner
        without a link on ``connection`` for ``partner_type`` is, when the
        connection's "Create customers in Procountor" is on, looked up in
        Procountor first (business ID/VAT, then exact name) and linked, or
        else created there with ``POST /businesspartners`` and linked.
        Idempotent: linked partners cost no API call. Never commits.

        Raises UserError (one sentence naming the contact and the connection)
        when a partner lacks an ID and the option is off, or when its business
        ID belongs to a Procountor partner already linked to another contact.
        Procountor API failures propagate as ProcountorError for the caller
        to word (``connection._procountor_error_sentence``).
        """
        partners = self.commercial_partner_id
        ids = partners._procountor_get_ids(connection, partner_type)
        missing = partners.filtered(lambda partner: partner.id not in ids)
        if missing and not connection.create_customers:
            raise UserError(
                self._procountor_missing_id_sentence(connection, missing, partner_type)
            )
        for partner in missing:
            ids[partner.id] = partner._procountor_link_or_create(
                connection, partner_type
            )[0]
        return ids

    @api.model
    def _procountor_missing_id_sentence(self, connection, partners, partner_type):
        names = ", ".join(partners.mapped("display_name"))
        if partner_type == "SUPPLIER":
            return self.env._(
                "Contact %(partners)s has no Procountor supplier ID on connection "
                "%(connection)s; link it in the contact's Invoicing tab or turn on "
                "Create customers in Procountor on the connection.",
                partners=names,
                connection=connection.display_name,
            )
        return self.env._(
            "Contact %(partners)s has no Procountor customer ID on connection "
            "%(connection)s; link it with Fetch Procountor customers or turn on "
            "Create customers in Procountor on the connection.",
            partners=names,
            connection=connection.display_name,
        )

    def _procountor_link_or_create(self, connection, partner_type="CUSTOMER"):
        """Link this commercial partner to its Procountor business partner,
        searching before creating; returns ``(procountor_id, "linked" |
        "created")``. Raises as :meth:`_procountor_ensure_remote` does."""
        self.ensure_one()
        values = self._procountor_partner_values(connection, partner_type)
        with connection._procountor_api(self) as client:
            remote_id = self._procountor_find_remote(
                client, connection, partner_type, values
            )
            how = "linked"
            if not remote_id:
                created = client.create_business_partner(
                    registers.business_partner(values)
                )
                remote_id, how = created["id"], "created"
        self._procountor_set_id(connection, remote_id, partner_type)
        if how == "created":
            self._procountor_note_cut_name(
                connection, values.get("name"), registers.NAME_LIMIT
            )
        return remote_id, how

    def _procountor_find_remote(self, client, connection, partner_type, values):
        """The id of the Procountor partner this contact already is, or None.

        By business ID first (the ``identifier`` header filter, API_NOTES
        §3.4/§7), then by name, compared exactly ignoring case; a name match
        whose business ID differs from ours is another company. Procountor
        partners already linked to other contacts are never reused.
        """
        key = registers.normalise_business_id(values.get("business_id"))
        if key:
            found = []
            for identifier in registers.business_id_search_forms(values["business_id"]):
                found = [
                    row["id"]
                    for row in client.search_business_partners(
                        identifier=identifier, type=partner_type
                    )
                    if row.get("type", partner_type) == partner_type
                    and registers.normalise_business_id(
                        (row.get("invoicingInfo") or {}).get("identifier")
                    )
                    == key
                ]
                if found:
                    break
            if found:
                taken = self._procountor_find_by_ids(connection, found, partner_type)
                free = sorted(set(found) - set(taken))
                if not free:
                    other = taken[min(found)]
                    raise UserError(
                        self.env._(
                            "Contact %(partner)s has the business ID of Procountor "
                            "partner %(remote)s on connection %(connection)s, which is "
                            "already linked to contact %(other)s; merge the two "
                            "contacts or correct the business ID.",
                            partner=self.display_name,
                            remote=min(found),
                            connection=connection.display_name,
                            other=other.display_name,
                        )
                    )
                return free[0]
        name = registers.normalise_name(values.get("name"))
        if not name:
            return None
        found = []
        for row in client.search_business_partners(
            name=values["name"], type=partner_type
        ):
            identifier = registers.normalise_business_id(
                (row.get("invoicingInfo") or {}).get("identifier")
            )
            if (
                row.get("type", partner_type) == partner_type
                and registers.normalise_name(row.get("name")) == name
                and not (key and identifier and identifier != key)
            ):
                found.append(row["id"])
        taken = (
            self._procountor_find_by_ids(connection, found, partner_type)
            if found
            else {}
        )
        free = sorted(set(found) - set(taken))
        return free[0] if free else None

    def _procountor_partner_values(self, connection, partner_type="CUSTOMER"):
        """This commercial partner as plain values for
        ``registers.business_partner`` (the only place that knows which Odoo
        fields feed Procountor's business partner)."""
        self.ensure_one()
        partner = self.with_company(connection.company_id)
        addresses = partner.address_get(["invoice", "delivery"])
        Partner = self.browse()

        def address_of(contact):
            return {
                "name": contact.name or partner.name,
                "street": contact.street,
                "street2": contact.street2,
                "zip": contact.zip,
                "city": contact.city,
                "country_code": contact.country_id.code,
            }

        main = address_of(partner)
        billing = Partner.browse(addresses["invoice"])
        delivery = Partner.browse(addresses["delivery"])
        return {
            "name": partner.name,
            "partner_type": partner_type,
            "business_id": partner.company_registry or partner.vat,
            "customer_number": partner.ref,
            "email": partner.email,
            "phone": partner.phone or partner.mobile,
            "einvoice_address": partner.procountor_einvoice_address,
            "einvoice_operator": partner.procountor_einvoice_operator,
            "invoice_channel": partner.procountor_invoice_channel,
            "language": registers.language_for_lang(partner.lang),
            "payment_term_days": _payment_term_days(partner.property_payment_term_id),
            "address": main,
            "billing_address": address_of(billing) if billing != partner else None,
            "delivery_address": address_of(delivery) if delivery != partner else None,
        }

    def action_procountor_create_remote(self):
        """List action "Create in Procountor": link or create the selected
        contacts' commercial partners as customers of the current company's
        connection, whatever the connection's creation option says (the user
        asks for it). Idempotent. Failures are reported per contact in the
        returned notification, never raised, so the others are kept."""
        connection = self.env.company.procountor_connection_id
        if not connection:
            raise UserError(
                self.env._(
                    "Company %(company)s has no Procountor connection; choose one on "
                    "the company form, tab Integration.",
                    company=self.env.company.display_name,
                )
            )
        partners = self.commercial_partner_id
        known = partners._procountor_get_ids(connection, "CUSTOMER")
        counts = {"linked": 0, "created": 0}
        failures = []
        for partner in partners.filtered(lambda p: p.id not in known):
            try:
                counts[
                    partner._procountor_link_or_create(connection, "CUSTOMER")[1]
                ] += 1
            except ProcountorError as error:
                _logger.warning(
                    "Procountor: creating contact %s failed", partner.id, exc_info=True
                )
                failures.append(
                    self.env._(
                        "%(partner)s: %(reason)s",
                        partner=partner.display_name,
                        reason=connection._procountor_error_sentence(error),
                    )
                )
            except UserError as error:
                failures.append(error.args[0])
        message = self.env._(
            "%(created)s created in Procountor, %(linked)s linked to existing "
            "Procountor customers, %(known)s already linked, %(failed)s failed.",
            created=counts["created"],
            linked=counts["linked"],
            known=len(known),
            failed=len(failures),
        )
        return _notification(self.env, message, failures)


def _payment_term_days(term):
    """N for a single-line "100 % N days after the invoice date" payment term
    (what Procountor's ``paymentTermDays`` can express, API_NOTES §7), else None."""
    line = term.line_ids
    if len(line) != 1 or line.value != "percent" or line.delay_type != "days_after":
        return None
    return line.nb_days


def _notification(env, message, failures):
    """A notification for list actions: the counts, then one line per failure."""
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {
            "title": env._("Procountor"),
            "message": "\n".join([message, *failures]),
            "type": "warning" if failures else "success",
            "sticky": bool(failures),
        },
    }
