# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict

from odoo import api, fields, models

from ..models.procountor_link import PARTNER_TYPES
from ..models.res_partner import INVOICE_CHANNELS
from ..procountor_api import ProcountorError, registers
from ..procountor_api.enums import LANGUAGES
from .procountor_import_mixin import DONE

_logger = logging.getLogger(__name__)

LINE_TYPES = [
    ("main", "Customer"),
    ("invoice", "Billing address"),
    ("delivery", "Delivery address"),
]
ACTIONS = [
    ("skip", "Do nothing"),
    ("update", "Update with ID"),
    ("create", "Add to partners"),
]
MATCH_RULES = [
    ("business_id", "Business ID"),
    ("einvoice", "E-invoice address"),
    ("email", "Email"),
]


class ProcountorPartnerImport(models.TransientModel):
    """Bring Procountor customers into Odoo: fetch the ones no contact is
    linked to, suggest a contact for each, then link or create."""

    _name = "procountor.partner.import"
    _inherit = "procountor.import.mixin"
    _description = "Fetch Procountor Customers"
    _line_model = "procountor.partner.import.line"

    partner_type = fields.Selection(
        PARTNER_TYPES, default="CUSTOMER", required=True, readonly=True
    )
    line_ids = fields.One2many(
        "procountor.partner.import.line", "wizard_id", string="Customers"
    )
    overview = fields.Char(compute="_compute_overview")

    @api.depends("line_ids.action", "line_ids.line_type", "line_ids.result")
    def _compute_overview(self):
        for wizard in self:
            counts = defaultdict(int)
            for line in wizard.line_ids:
                counts["main" if line.line_type == "main" else "address"] += 1
                if line.result not in DONE:
                    counts[line.action] += 1
            wizard.overview = self.env._(
                "%(customers)s customers and %(addresses)s addresses: %(update)s to "
                "update with their ID, %(create)s to add, %(skip)s to leave alone.",
                customers=counts["main"],
                addresses=counts["address"],
                update=counts["update"],
                create=counts["create"],
                skip=counts["skip"],
            )

    # ------------------------------------------------------------------
    # Fetch
    # ------------------------------------------------------------------
    def _fetch(self):
        """Fetch the connection's Procountor customers that no Odoo contact is
        linked to: list pages of 200, then batch GETs of 200 for the full
        records (API_NOTES §3.3, §3.4, §7). Stores one line per customer and
        one per separate billing or delivery address. Returns False, with the
        sentence in ``fetch_error``, when Procountor fails."""
        self.ensure_one()
        connection = self.connection_id
        linked = set(
            self.env["procountor.partner.link"]
            .sudo()
            .search_fetch(
                [
                    ("connection_id", "=", connection.id),
                    ("partner_type", "=", self.partner_type),
                ],
                ["procountor_id"],
            )
            .mapped("procountor_id")
        )
        try:
            with connection._procountor_api() as client:
                ids = [
                    row["id"]
                    for row in client.search_business_partners(type=self.partner_type)
                    if row["id"] not in linked
                    and row.get("type", self.partner_type) == self.partner_type
                ]
                remotes = client.get_business_partners(ids) if ids else []
        except ProcountorError as error:
            _logger.warning(
                "Procountor customer fetch on connection %s failed",
                connection.id,
                exc_info=True,
            )
            self.fetch_error = connection._procountor_error_sentence(error)
            return False
        self._create_lines(
            [
                registers.partner_values(remote)
                for remote in sorted(remotes, key=lambda remote: remote["id"])
                if remote.get("type", self.partner_type) == self.partner_type
                and remote["id"] not in linked
            ]
        )
        return True

    def _create_lines(self, values_list):
        """One line per customer, then its address lines (two batch creates)."""
        # As superuser: only the fetch may create lines (see the line model).
        Line = self.env["procountor.partner.import.line"].sudo()
        countries = {
            country.code: country.id
            for country in self.env["res.country"].search_fetch([], ["code"])
        }

        def address(values):
            values = values or {}
            return {
                "street": values.get("street"),
                "street2": values.get("street2"),
                "zip": values.get("zip"),
                "city": values.get("city"),
                "country_id": countries.get(values.get("country_code")),
            }

        mains = Line.create(
            [
                {
                    "wizard_id": self.id,
                    "sequence": 3 * index,
                    "line_type": "main",
                    "procountor_id": values["procountor_id"],
                    "name": values["name"],
                    "business_id": values["business_id"],
                    "customer_number": values["customer_number"],
                    "email": values["email"],
                    "phone": values["phone"],
                    "einvoice_address": values["einvoice_address"],
                    "einvoice_operator": values["einvoice_operator"],
                    "invoice_channel": values["invoice_channel"],
                    "language": values["language"],
                    "payment_term_days": values["payment_term_days"],
                    "has_payment_term": values["payment_term_days"] is not None,
                    "action": "create",
                    **address(values["address"]),
                }
                for index, values in enumerate(values_list)
            ]
        )
        address_lines = []
        for index, (values, main) in enumerate(zip(values_list, mains, strict=True)):
            for offset, line_type, key in (
                (1, "invoice", "billing_address"),
                (2, "delivery", "delivery_address"),
            ):
                if values[key]:
                    address_lines.append(
                        {
                            "wizard_id": self.id,
                            "sequence": 3 * index + offset,
                            "line_type": line_type,
                            "main_line_id": main.id,
                            "procountor_id": values["procountor_id"],
                            "name": values[key]["name"] or values["name"],
                            "action": "create",
                            **address(values[key]),
                        }
                    )
        Line.create(address_lines)

    # ------------------------------------------------------------------
    # Match
    # ------------------------------------------------------------------
    def action_find_partners(self):
        """Button "Find Odoo partners": suggest again for the lines not applied."""
        self._match()
        return self._action_reopen()

    def _match(self):
        """Suggest an action and a contact for every line not applied yet.

        A customer line takes the first contact found by business ID, then
        e-invoice address, then e-mail (normalised as in ``registers``):
        found gives "Update with ID", not found "Add to partners". A contact
        whose business ID differs from the customer's is never taken by
        e-invoice address or e-mail, and each contact is suggested once.
        Address lines follow their customer: "Do nothing" when it exists.
        """
        self.ensure_one()
        index = _ContactIndex(self._match_candidates())
        lines = self.line_ids.filtered(lambda line: line.result not in DONE)
        suggestion = {}
        used = set()
        for line in lines.filtered(lambda line: line.line_type == "main"):
            partner_id, rule = index.find(
                line.business_id, line.einvoice_address, line.email, used
            )
            if partner_id:
                used.add(partner_id)
                suggestion[line.id] = ("update", partner_id, rule)
            else:
                suggestion[line.id] = ("create", False, False)
        for line in lines.filtered(lambda line: line.line_type != "main"):
            main_action = suggestion.get(line.main_line_id.id, ("skip",))[0]
            suggestion[line.id] = (
                "create" if main_action == "create" else "skip",
                False,
                False,
            )
        groups = defaultdict(list)
        for line_id, values in suggestion.items():
            groups[values].append(line_id)
        Line = self.env["procountor.partner.import.line"]
        for (action, partner_id, rule), line_ids in groups.items():
            Line.browse(line_ids).write(
                {
                    "action": action,
                    "partner_id": partner_id,
                    "match_rule": rule,
                    "result": "pending",
                    "error": False,
                }
            )

    def _match_candidates(self):
        """Rows ``(commercial partner id, company_registry, vat, e-invoice
        address, e-mail)`` of the contacts this wizard may suggest: active,
        of the connection's company or shared, not linked on the connection
        yet. One query for the contacts, one for the links."""
        company = self.connection_id.company_id
        linked = set(
            self.env["procountor.partner.link"]
            .sudo()
            .search_fetch(
                [
                    ("connection_id", "=", self.connection_id.id),
                    ("partner_type", "=", self.partner_type),
                ],
                ["partner_id"],
            )
            .mapped("partner_id.id")
        )
        contacts = self.env["res.partner"].search_fetch(
            [
                ("company_id", "in", [False, company.id]),
                "|",
                "|",
                "|",
                ("company_registry", "!=", False),
                ("vat", "!=", False),
                ("procountor_einvoice_address", "!=", False),
                ("email", "!=", False),
            ],
            [
                "commercial_partner_id",
                "company_registry",
                "vat",
                "procountor_einvoice_address",
                "email",
            ],
            order="id",
        )
        return [
            (
                contact.commercial_partner_id.id,
                contact.company_registry,
                contact.vat,
                contact.procountor_einvoice_address,
                contact.email,
            )
            for contact in contacts
            if contact.commercial_partner_id.id not in linked
        ]

    # ------------------------------------------------------------------
    # Apply: the hooks of the loop in procountor.import.mixin
    # ------------------------------------------------------------------
    def _apply_own_lines(self, lines):
        """Customer lines; address lines follow their customer."""
        return lines.filtered(lambda line: line.line_type == "main")

    def _procountor_partner_type(self):
        return self.partner_type

    def _apply_record_model(self):
        return self._partner_model().with_company(self.connection_id.company_id)

    def _apply_context(self):
        return self._creation_context()

    def _apply_values(self, line, context):
        return line._partner_values(context)

    def _apply_update_error(self, problem, record=False, other=False):
        if problem == "missing":
            return self.env._("choose the contact to update, or another action.")
        if problem == "linked":
            return self.env._(
                "contact %(partner)s is already linked to Procountor ID "
                "%(other)s; choose another contact.",
                partner=record.display_name,
                other=other,
            )
        return self.env._(
            "this Procountor ID is already linked to contact %(other)s.",
            other=other.display_name,
        )

    def _apply_dependent_lines(self, lines, outcome):
        """Add billing/delivery address lines as child contacts of their
        customer's contact (just created or linked, or chosen earlier)."""
        if not lines:
            return
        Partner = self._partner_model()
        can_create = Partner.has_access("create")
        parents = {}
        for line in lines:
            main = line.main_line_id
            main_result = outcome.get(main.id, (main.result, False, main.partner_id.id))
            # The customer's contact: linked or created (now or by an earlier
            # apply), or chosen by hand on a customer line left alone.
            parent_id = main_result[2] or main.partner_id.id
            if main_result[0] not in (*DONE, "skipped"):
                parent_id = False
            if line.action != "create":
                error = self.env._(
                    "an address has no Procountor ID of its own; choose Do nothing or "
                    "Add to partners."
                )
            elif not can_create:
                error = self._no_create_right_sentence()
            elif not parent_id:
                error = self.env._(
                    "customer %(name)s is not in Odoo; add or link the customer first.",
                    name=main.name,
                )
            else:
                parents[line] = parent_id
                continue
            outcome[line.id] = ("failed", error, False)
        self._apply_in_batch(
            list(parents),
            lambda batch: (
                Partner.create(
                    [line._address_values(parents[line]) for line in batch]
                ).ids
            ),
            "created",
            outcome,
        )

    def _partner_model(self):
        """res.partner set up for creating thousands of contacts: no creation
        message and no tracking per contact, as Odoo's own import does; and
        account's "several invoice templates?" form flag, a default that
        costs one COUNT query per new contact, counted once."""
        several_templates = (
            self.env["ir.actions.report"].search_count(
                [("is_invoice_report", "=", True)], limit=2
            )
            > 1
        )
        return self.env["res.partner"].with_context(
            tracking_disable=True,
            default_display_invoice_template_pdf_report_id=several_templates,
        )

    def _no_create_right_sentence(self):
        return self.env._(
            "you are not allowed to create contacts; ask an administrator for the "
            "Contact Creation right."
        )

    def _creation_context(self):
        """Lookups the new contacts need, read once: installed languages and
        the company's single-line "N days" payment terms by N."""
        company = self.connection_id.company_id
        terms = {}
        for term in self.env["account.payment.term"].search(
            [("company_id", "in", [False, company.id])], order="sequence, id"
        ):
            lines = term.line_ids
            if (
                len(lines) == 1
                and lines.value == "percent"
                and lines.delay_type == "days_after"
            ):
                terms.setdefault(lines.nb_days, term.id)
        return {
            "langs": {code for code, _name in self.env["res.lang"].get_installed()},
            "payment_terms": terms,
            "customer": self.partner_type == "CUSTOMER",
        }


class ProcountorPartnerImportLine(models.TransientModel):
    _name = "procountor.partner.import.line"
    _inherit = "procountor.import.line.mixin"
    _description = "Fetched Procountor Customer"
    _procountor_record_field = "partner_id"
    _procountor_link_model = "procountor.partner.link"

    wizard_id = fields.Many2one(
        "procountor.partner.import", required=True, index=True, ondelete="cascade"
    )
    line_type = fields.Selection(
        LINE_TYPES, string="Type", required=True, readonly=True
    )
    main_line_id = fields.Many2one(
        "procountor.partner.import.line",
        string="Customer Line",
        readonly=True,
        ondelete="cascade",
    )
    business_id = fields.Char(string="Business ID", readonly=True)
    customer_number = fields.Char(readonly=True)
    email = fields.Char(readonly=True)
    phone = fields.Char(readonly=True)
    einvoice_address = fields.Char(string="E-invoice Address", readonly=True)
    einvoice_operator = fields.Char(string="E-invoice Operator", readonly=True)
    invoice_channel = fields.Selection(INVOICE_CHANNELS, readonly=True)
    language = fields.Selection(
        [(code, code.capitalize()) for code in LANGUAGES], readonly=True
    )
    payment_term_days = fields.Integer(readonly=True)
    has_payment_term = fields.Boolean(readonly=True)
    street = fields.Char(readonly=True)
    street2 = fields.Char(readonly=True)
    zip = fields.Char(readonly=True)
    city = fields.Char(readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    action = fields.Selection(ACTIONS, required=True, default="create")
    partner_id = fields.Many2one(
        "res.partner",
        string="Odoo Contact",
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
        help="The contact that gets this Procountor ID (Update with ID).",
    )
    match_rule = fields.Selection(MATCH_RULES, string="Found By", readonly=True)

    def _procountor_line_label(self):
        if self.line_type == "main":
            return super()._procountor_line_label()
        return self.env._(
            "%(name)s, %(kind)s (Procountor ID %(id)s)",
            name=self.main_line_id.name,
            kind=dict(self._fields["line_type"]._description_selection(self.env))[
                self.line_type
            ].lower(),
            id=self.procountor_id,
        )

    def _address_fields(self):
        return {
            "street": self.street or False,
            "street2": self.street2 or False,
            "zip": self.zip or False,
            "city": self.city or False,
            "country_id": self.country_id.id,
        }

    def _partner_values(self, context):
        """Values of the company contact an "Add to partners" line creates."""
        values = registers.contact_values(
            {key: self[key] for key in registers.CONTACT_KEYS}
        )
        lang = values.pop("lang", None)
        values.update(self._address_fields())
        if context["customer"]:
            values["customer_rank"] = 1
        else:
            values["supplier_rank"] = 1
        if lang in context["langs"]:
            values["lang"] = lang
        term_id = self.has_payment_term and context["payment_terms"].get(
            self.payment_term_days
        )
        if term_id:
            values["property_payment_term_id"] = term_id
        return values

    def _address_values(self, parent_id):
        """Values of the invoice/delivery child contact an address line creates."""
        main_name = self.main_line_id.name
        return {
            "parent_id": parent_id,
            "type": self.line_type,
            # Odoo names an unnamed address after its company; keep a name
            # only when Procountor gave the address one of its own.
            "name": self.name
            if registers.normalise_name(self.name)
            != registers.normalise_name(main_name)
            else False,
            **self._address_fields(),
        }


class _ContactIndex:
    """Odoo contacts by normalised business ID, e-invoice address and e-mail,
    built once per match so that thousands of lines cost no query each."""

    RULES = ("business_id", "einvoice", "email")

    def __init__(self, rows):
        self.tables = {rule: defaultdict(dict) for rule in self.RULES}
        self.business_keys = defaultdict(set)
        for partner_id, registry, vat, einvoice, email in rows:
            for value in (registry, vat):
                key = registers.normalise_business_id(value)
                if key:
                    self.tables["business_id"][key][partner_id] = None
                    self.business_keys[partner_id].add(key)
            key = registers.normalise_einvoice_address(einvoice)
            if key:
                self.tables["einvoice"][key][partner_id] = None
            key = registers.normalise_email(email)
            if key:
                self.tables["email"][key][partner_id] = None

    def find(self, business_id, einvoice, email, used):
        """``(partner id, rule)`` of the first contact found, or ``(None, None)``."""
        business_key = registers.normalise_business_id(business_id)
        keys = (
            business_key,
            registers.normalise_einvoice_address(einvoice),
            registers.normalise_email(email),
        )
        for rule, key in zip(self.RULES, keys, strict=True):
            if not key:
                continue
            for partner_id in self.tables[rule].get(key, ()):
                if partner_id in used:
                    continue
                own_keys = self.business_keys.get(partner_id)
                if (
                    rule != "business_id"
                    and business_key
                    and own_keys
                    and (business_key not in own_keys)
                ):
                    continue
                return partner_id, rule
        return None, None
