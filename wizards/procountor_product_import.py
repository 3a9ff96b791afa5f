# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict

from odoo import Command, api, fields, models

from ..procountor_api import ProcountorError, registers
from ..procountor_api.enums import TIME_UNITS, UNITS, unit_label
from .procountor_import_mixin import DONE

_logger = logging.getLogger(__name__)

ACTIONS = [
    ("skip", "Do nothing"),
    ("update", "Update with ID"),
    ("create", "Add to products"),
]
MATCH_RULES = [
    ("code", "Internal reference"),
    ("barcode", "Barcode"),
    ("name", "Name"),
]


class ProcountorProductImport(models.TransientModel):
    """Bring Procountor sales products into Odoo: fetch the ones no product is
    linked to, suggest a product for each, then link or create."""

    _name = "procountor.product.import"
    _inherit = "procountor.import.mixin"
    _description = "Fetch Procountor Products"
    _line_model = "procountor.product.import.line"

    line_ids = fields.One2many(
        "procountor.product.import.line", "wizard_id", string="Products"
    )
    overview = fields.Char(compute="_compute_overview")

    @api.depends("line_ids.action", "line_ids.result")
    def _compute_overview(self):
        for wizard in self:
            counts = defaultdict(int)
            for line in wizard.line_ids:
                if line.result not in DONE:
                    counts[line.action] += 1
            wizard.overview = self.env._(
                "%(products)s products: %(update)s to update with their ID, %(create)s "
                "to add, %(skip)s to leave alone.",
                products=len(wizard.line_ids),
                update=counts["update"],
                create=counts["create"],
                skip=counts["skip"],
            )

    # ------------------------------------------------------------------
    # Fetch
    # ------------------------------------------------------------------
    def _fetch(self):
        """Fetch the connection's Procountor sales products that no Odoo product
        is linked to. The list has no pages, only ``previousId`` keyset paging,
        and returns full products (API_NOTES §3.4, §9). Returns False, with
        the sentence in ``fetch_error``, when Procountor fails."""
        self.ensure_one()
        connection = self.connection_id
        linked = set(
            self.env["procountor.product.link"]
            .sudo()
            .search_fetch([("connection_id", "=", connection.id)], ["procountor_id"])
            .mapped("procountor_id")
        )
        try:
            with connection._procountor_api() as client:
                # Invoices use sales products; purchase products are another
                # register in Procountor (§9).
                remotes = [
                    row
                    for row in client.search_products(type="SALES")
                    if row["id"] not in linked and row.get("type", "SALES") == "SALES"
                ]
        except ProcountorError as error:
            _logger.warning(
                "Procountor product fetch on connection %s failed",
                connection.id,
                exc_info=True,
            )
            self.fetch_error = connection._procountor_error_sentence(error)
            return False
        self._create_lines([registers.product_values(remote) for remote in remotes])
        return True

    def _create_lines(self, values_list):
        uoms = {}
        for uom in self.env["uom.uom"].search_fetch(
            [("procountor_unit", "!=", False)], ["procountor_unit"], order="id"
        ):
            uoms.setdefault(uom.procountor_unit, uom.id)
        taxes = self._sale_taxes_by_percent()
        self.env["procountor.product.import.line"].sudo().create(
            [
                {
                    "wizard_id": self.id,
                    "sequence": index,
                    "procountor_id": values["procountor_id"],
                    "name": values["name"],
                    "code": values["code"],
                    "price": values["price"],
                    "unit": values["unit"],
                    "uom_id": uoms.get(values["unit"]),
                    "vat_percent": values["vat_percent"] or 0.0,
                    "has_vat": values["vat_percent"] is not None,
                    "tax_id": taxes.get(_percent_key(values["vat_percent"])),
                    "action": "create",
                }
                for index, values in enumerate(
                    sorted(values_list, key=lambda values: values["procountor_id"])
                )
            ]
        )

    def _sale_taxes_by_percent(self):
        """{percent: tax id} for the percents only one active percent sale tax
        of the connection's company has (ambiguous percents are left out)."""
        company = self.connection_id.company_id
        by_percent = defaultdict(list)
        for tax in self.env["account.tax"].search(
            [
                *self.env["account.tax"]._check_company_domain(company),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
            ]
        ):
            by_percent[_percent_key(tax.amount)].append(tax.id)
        return {percent: ids[0] for percent, ids in by_percent.items() if len(ids) == 1}

    # ------------------------------------------------------------------
    # Match
    # ------------------------------------------------------------------
    def action_find_products(self):
        """Button "Find Odoo products": suggest again for the lines not applied."""
        self._match()
        return self._action_reopen()

    def _match(self):
        """Suggest an action and a product for every line not applied yet:
        internal reference, then barcode (both against the Procountor code),
        then name, each exact ignoring case. A product whose internal
        reference differs from the Procountor code is never taken by name,
        and each product is suggested once."""
        self.ensure_one()
        index = _ProductIndex(self._match_candidates())
        used = set()
        groups = defaultdict(list)
        for line in self.line_ids.filtered(lambda line: line.result not in DONE):
            product_id, rule = index.find(line.code, line.name, used)
            if product_id:
                used.add(product_id)
                groups[("update", product_id, rule)].append(line.id)
            else:
                groups[("create", False, False)].append(line.id)
        Line = self.env["procountor.product.import.line"]
        for (action, product_id, rule), line_ids in groups.items():
            Line.browse(line_ids).write(
                {
                    "action": action,
                    "product_id": product_id,
                    "match_rule": rule,
                    "result": "pending",
                    "error": False,
                }
            )

    def _match_candidates(self):
        """Rows ``(product id, internal reference, barcode, name)`` of the
        active products of the connection's company or shared, not linked on
        the connection yet."""
        company = self.connection_id.company_id
        linked = set(
            self.env["procountor.product.link"]
            .sudo()
            .search_fetch(
                [("connection_id", "=", self.connection_id.id)], ["product_id"]
            )
            .mapped("product_id.id")
        )
        products = self.env["product.product"].search_fetch(
            [("company_id", "in", [False, company.id])],
            ["default_code", "barcode", "name"],
            order="id",
        )
        return [
            (product.id, product.default_code, product.barcode, product.name)
            for product in products
            if product.id not in linked
        ]

    # ------------------------------------------------------------------
    # Apply: the hooks of the loop in procountor.import.mixin
    # ------------------------------------------------------------------
    def _apply_record_model(self):
        # No creation message and no tracking per product, as Odoo's own
        # import does.
        return (
            self.env["product.product"]
            .with_company(self.connection_id.company_id)
            .with_context(tracking_disable=True)
        )

    def _apply_context(self):
        return {
            "connection": self.connection_id,
            "digits": self.env["decimal.precision"].precision_get("Product Price"),
        }

    def _apply_values(self, line, context):
        return line._product_values(context["connection"], context["digits"])

    def _apply_update_error(self, problem, record=False, other=False):
        if problem == "missing":
            return self.env._("choose the product to update, or another action.")
        if problem == "linked":
            return self.env._(
                "product %(product)s is already linked to Procountor ID "
                "%(other)s; choose another product.",
                product=record.display_name,
                other=other,
            )
        return self.env._(
            "this Procountor ID is already linked to product %(other)s.",
            other=other.display_name,
        )

    def _no_create_right_sentence(self):
        return self.env._(
            "you are not allowed to create products; ask an accounting "
            "administrator to add them."
        )


class ProcountorProductImportLine(models.TransientModel):
    _name = "procountor.product.import.line"
    _inherit = "procountor.import.line.mixin"
    _description = "Fetched Procountor Product"
    _procountor_record_field = "product_id"
    _procountor_link_model = "procountor.product.link"

    wizard_id = fields.Many2one(
        "procountor.product.import", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="wizard_id.company_id")
    code = fields.Char(readonly=True)
    price = fields.Float(digits="Product Price", readonly=True)
    unit = fields.Selection(
        [(code, unit_label(code)) for code in UNITS],
        string="Procountor Unit",
        readonly=True,
    )
    uom_id = fields.Many2one(
        "uom.uom",
        string="Unit of Measure",
        help="The Odoo unit a new product gets; taken from the units whose "
        "Procountor Unit matches.",
    )
    vat_percent = fields.Float(string="VAT %", readonly=True)
    has_vat = fields.Boolean(readonly=True)
    tax_id = fields.Many2one(
        "account.tax",
        string="Sales Tax",
        domain="[('type_tax_use', '=', 'sale'), "
        "('company_id', 'parent_of', company_id)]",
        help="The sales tax a new product gets; suggested when exactly one sales "
        "tax has the product's VAT percent.",
    )
    action = fields.Selection(ACTIONS, required=True, default="create")
    product_id = fields.Many2one("product.product", string="Odoo Product")
    match_rule = fields.Selection(MATCH_RULES, string="Found By", readonly=True)
    tax_warning = fields.Char(
        string="Warning",
        compute="_compute_tax_warning",
        help="What the product this line adds would lack.",
    )

    @api.depends("action", "result", "has_vat", "vat_percent", "tax_id", "name")
    def _compute_tax_warning(self):
        for line in self:
            if (
                line.action == "create"
                and line.result not in DONE
                and line.has_vat
                and not line.tax_id
            ):
                line.tax_warning = self.env._(
                    "Product %(name)s would be added without a sales tax: no Odoo "
                    "sales tax has its Procountor VAT rate of %(percent)s %%; choose "
                    "one under Sales Tax.",
                    name=line.name,
                    percent=format(line.vat_percent, "g"),
                )
            else:
                line.tax_warning = False

    def _product_values(self, connection, digits):
        """Values of the product an "Add to products" line creates. The price
        is stored in the terms of the chosen tax (VAT included or not), read
        from Procountor in the terms of the connection's "Sales Prices
        Include VAT" (API_NOTES §8)."""
        values = {
            "name": self.name,
            "default_code": self.code or False,
            "list_price": registers.convert_price(
                self.price,
                self.vat_percent if self.has_vat else None,
                from_gross=connection.unit_prices_include_vat_sales,
                to_gross=bool(self.tax_id.price_include),
                digits=digits,
            ),
            "type": "service" if self.unit in TIME_UNITS else "consu",
            "sale_ok": True,
        }
        if self.uom_id:
            values.update(uom_id=self.uom_id.id, uom_po_id=self.uom_id.id)
        if self.tax_id:
            values["taxes_id"] = [Command.set(self.tax_id.ids)]
        elif self.has_vat:
            # A VAT percent no single Odoo tax has: no tax rather than the
            # company's default one at another rate.
            values["taxes_id"] = [Command.clear()]
        return values


def _percent_key(percent):
    return None if percent is None else round(float(percent), 4)


class _ProductIndex:
    """Odoo products by internal reference, barcode and name, built once."""

    RULES = ("code", "barcode", "name")

    def __init__(self, rows):
        self.tables = {rule: defaultdict(dict) for rule in self.RULES}
        self.codes = {}
        for product_id, code, barcode, name in rows:
            for rule, key in (
                ("code", registers.normalise_code(code)),
                ("barcode", registers.normalise_code(barcode)),
                ("name", registers.normalise_name(name)),
            ):
                if key:
                    self.tables[rule][key][product_id] = None
            self.codes[product_id] = registers.normalise_code(code)

    def find(self, code, name, used):
        """``(product id, rule)`` of the first product found, or ``(None, None)``."""
        code_key = registers.normalise_code(code)
        keys = (code_key, code_key, registers.normalise_name(name))
        for rule, key in zip(self.RULES, keys, strict=True):
            if not key:
                continue
            for product_id in self.tables[rule].get(key, ()):
                if product_id in used:
                    continue
                own_code = self.codes.get(product_id)
                if rule == "name" and code_key and own_code and own_code != code_key:
                    continue
                return product_id, rule
        return None, None
