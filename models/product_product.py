# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..procountor_api import ProcountorError, registers
from ..procountor_api.enums import CURRENCIES
from .res_partner import _notification

_logger = logging.getLogger(__name__)


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "procountor.link.mixin"]

    procountor_link_ids = fields.One2many(
        "procountor.product.link", "product_id", string="Procountor IDs"
    )
    procountor_id = fields.Integer(
        string="Procountor ID",
        compute="_compute_procountor_id",
        inverse="_inverse_procountor_id",
        search="_search_procountor_id",
        help="This product's ID in the Procountor company of the current "
        "company's connection.",
    )

    @api.depends_context("company")
    @api.depends("procountor_link_ids")
    def _compute_procountor_id(self):
        connection = self.env.company.procountor_connection_id
        ids = self._procountor_get_ids(connection) if connection and self.ids else {}
        for product in self:
            product.procountor_id = ids.get(product.id, 0)

    def _search_procountor_id(self, operator, value):
        connection = self.env.company.procountor_connection_id
        link_domain = [("connection_id", "=", connection.id)]
        if operator in ("=", "!=") and not value:
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

    def _inverse_procountor_id(self):
        self._procountor_write_link_ids(
            {product.id: product.procountor_id for product in self}
        )

    # ------------------------------------------------------------------
    # The product in Procountor's product register (API_NOTES §9)
    # ------------------------------------------------------------------
    def _procountor_ensure_remote(self, connection):
        """Make sure the products of ``self`` exist in Procountor as sales
        products; returns ``{product id: Procountor id}`` for all of them.

        A product without a link on ``connection`` is, when the connection's
        "Create products in Procountor" is on, looked up in Procountor first
        (code, then exact name) and linked, or else created with
        ``POST /products`` and linked. Idempotent: linked products cost no
        API call. Never commits.

        Raises UserError (one sentence naming the product and the connection)
        when a product lacks an ID and the option is off. Procountor API
        failures propagate as ProcountorError for the caller to word.
        """
        ids = self._procountor_get_ids(connection)
        missing = self.filtered(lambda product: product.id not in ids)
        if missing and not connection.create_products:
            raise UserError(
                self.env._(
                    "Product %(products)s has no Procountor ID on connection "
                    "%(connection)s; link it with Fetch Procountor products or turn "
                    "on Create products in Procountor on the connection.",
                    products=", ".join(missing.mapped("display_name")),
                    connection=connection.display_name,
                )
            )
        for product in missing:
            ids[product.id] = product._procountor_link_or_create(connection)[0]
        return ids

    def _procountor_link_or_create(self, connection):
        """Link this product to its Procountor product, searching before
        creating; returns ``(procountor_id, "linked" | "created")``."""
        self.ensure_one()
        values = self._procountor_product_values(connection)
        with connection._procountor_api(self) as client:
            remote_id = self._procountor_find_remote(client, connection, values)
            how = "linked"
            if not remote_id:
                created = client.create_product(registers.product(values))
                remote_id, how = created["id"], "created"
        self._procountor_set_id(connection, remote_id)
        if how == "created":
            self._procountor_note_cut_name(
                connection, values.get("name"), registers.PRODUCT_NAME_LIMIT
            )
        return remote_id, how

    def _procountor_find_remote(self, client, connection, values):
        """The id of the Procountor sales product this product already is, or
        None: same code, else same name (both exact, ignoring case). The list
        filters match substrings (API_NOTES §9), so rows are compared here.
        Procountor products linked to other Odoo products are never reused."""
        for field, key in (
            ("code", registers.normalise_code),
            ("name", registers.normalise_name),
        ):
            wanted = key(values.get(field))
            if not wanted:
                continue
            found = [
                row["id"]
                for row in client.search_products(
                    **{field: values[field], "type": "SALES"}
                )
                if row.get("type", "SALES") == "SALES" and key(row.get(field)) == wanted
            ]
            taken = self._procountor_find_by_ids(connection, found) if found else {}
            free = sorted(set(found) - set(taken))
            if free:
                return free[0]
        return None

    def _procountor_product_values(self, connection):
        """This product as plain values for ``registers.product``.

        The VAT percent is sent when exactly one percent sale tax of the
        connection's company applies and its rate is one of the sales rates
        fetched from Procountor (Procountor refuses other rates, API_NOTES
        §8, and the product's VAT is only a default there). The price moves
        between VAT-inclusive and exclusive terms as that tax and the
        connection's "Sales Prices Include VAT" setting require.
        """
        self.ensure_one()
        company = connection.company_id
        product = self.with_company(company)
        taxes = product.taxes_id._filter_taxes_by_company(company)
        tax = (
            taxes
            if len(taxes) == 1 and taxes.amount_type == "percent"
            else taxes.browse()
        )
        rates = connection.vat_rate_ids.filtered("sales")
        domestic = rates.filtered(lambda rate: rate.country_id == company.country_id)
        valid_rates = {
            round(percent, 2) for percent in (domestic or rates).mapped("percent")
        }
        currency = company.currency_id.name
        return {
            "name": product.with_context(display_default_code=False).display_name,
            "code": product.default_code,
            "unit": product.uom_id._procountor_unit() if product.uom_id else None,
            "price": registers.convert_price(
                product.lst_price,
                tax.amount if tax else None,
                from_gross=bool(tax.price_include),
                to_gross=connection.unit_prices_include_vat_sales,
                digits=self.env["decimal.precision"].precision_get("Product Price"),
            ),
            "vat_percent": tax.amount
            if tax and round(tax.amount, 2) in valid_rates
            else None,
            "currency": currency if currency in CURRENCIES else None,
            "product_type": "SALES",
        }

    def action_procountor_create_remote(self):
        """List action "Create in Procountor": link or create the selected
        products on the current company's connection, whatever the
        connection's creation option says. Idempotent; failures are reported
        per product in the returned notification, never raised."""
        connection = self.env.company.procountor_connection_id
        if not connection:
            raise UserError(
                self.env._(
                    "Company %(company)s has no Procountor connection; choose one on "
                    "the company form, tab Integration.",
                    company=self.env.company.display_name,
                )
            )
        known = self._procountor_get_ids(connection)
        counts = {"linked": 0, "created": 0}
        failures = []
        for product in self.filtered(lambda p: p.id not in known):
            try:
                counts[product._procountor_link_or_create(connection)[1]] += 1
            except ProcountorError as error:
                _logger.warning(
                    "Procountor: creating product %s failed", product.id, exc_info=True
                )
                failures.append(
                    self.env._(
                        "%(product)s: %(reason)s",
                        product=product.display_name,
                        reason=connection._procountor_error_sentence(error),
                    )
                )
        message = self.env._(
            "%(created)s created in Procountor, %(linked)s linked to existing "
            "Procountor products, %(known)s already linked, %(failed)s failed.",
            created=counts["created"],
            linked=counts["linked"],
            known=len(known),
            failed=len(failures),
        )
        return _notification(self.env, message, failures)
