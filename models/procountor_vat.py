# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, fields, models

from ..procountor_api import ProcountorError
from ..procountor_api.countries import procountor_country_to_iso

_logger = logging.getLogger(__name__)


class ProcountorVatStatus(models.Model):
    """A VAT status enabled in the Procountor company (API_NOTES §8).

    Filled by "Fetch VAT settings"; fiscal positions and taxes select from
    these, so the numbers are never typed by hand.
    """

    _name = "procountor.vat.status"
    _description = "Procountor VAT Status"
    _order = "connection_id, code"

    connection_id = fields.Many2one(
        "procountor.connection", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    code = fields.Integer(required=True, help="Procountor's vatStatus number.")
    name = fields.Char(string="Description", required=True)
    sales = fields.Boolean()
    purchase = fields.Boolean()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "code_connection_unique",
            "UNIQUE(connection_id, code)",
            "A VAT status appears once per Procountor connection.",
        ),
    ]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for status in self:
            status.display_name = f"{status.code} - {status.name}"

    @api.model
    def _procountor_fetch(self, connection):
        """Read the VAT statuses and rates of ``connection``'s Procountor company
        and store them; returns ``(ok, sentence)``."""
        interactive = connection.with_context(procountor_interactive=True)
        try:
            with interactive._procountor_api() as client:
                defaults = client.get_vats_default() or {}
                settings = client.get_vats_settings() or {}
        except ProcountorError as error:
            _logger.warning(
                "Procountor VAT fetch on connection %s failed: %s", connection.id, error
            )
            return False, connection._procountor_error_sentence(error)
        statuses, rates = self._procountor_store(connection, defaults, settings)
        return True, self.env._(
            "Fetched %(statuses)s VAT statuses and %(rates)s VAT rates from "
            "Procountor.",
            statuses=statuses,
            rates=rates,
        )

    @api.model
    def _procountor_store(self, connection, defaults, settings):
        """Upsert the VAT statuses and rates of ``connection`` from what
        Procountor returned; ones it no longer lists are archived, so mappings
        that use them stay readable. Returns (statuses, rates) counted."""
        connection.ensure_one()
        Status = self.env["procountor.vat.status"].with_context(active_test=False)
        Rate = self.env["procountor.vat.rate"].with_context(active_test=False)

        statuses = {
            status.code: status
            for status in Status.search([("connection_id", "=", connection.id)])
        }
        seen_statuses = Status.browse()
        to_create = []
        for row in defaults.get("vatStatuses") or []:
            code = row.get("vatStatus")
            if code is None:
                continue
            values = {
                "name": row.get("description") or str(code),
                "sales": bool(row.get("sales")),
                "purchase": bool(row.get("purchase")),
                "active": True,
            }
            if code in statuses:
                statuses[code].write(values)
                seen_statuses |= statuses[code]
            else:
                to_create.append(dict(values, connection_id=connection.id, code=code))
        seen_statuses |= Status.create(to_create)
        (Status.browse([s.id for s in statuses.values()]) - seen_statuses).write(
            {"active": False}
        )

        blocks = defaults.get("vatInformation") or []
        isos = {
            procountor_country_to_iso(block.get("country") or "") for block in blocks
        }
        by_code = {
            country.code: country
            for country in self.env["res.country"].search([("code", "in", list(isos))])
        }
        rates = {
            (rate.procountor_country, rate.percent): rate
            for rate in Rate.search([("connection_id", "=", connection.id)])
        }
        seen_rates = Rate.browse()
        to_create = []
        for block in blocks:
            # The country comes either as the enum (FINLAND) or as a display
            # name (Finland): API_NOTES §8 says to accept both.
            raw_country = (block.get("country") or "").strip()
            procountor_country = raw_country.upper().replace(" ", "_")
            iso = procountor_country_to_iso(procountor_country)
            country = by_code.get(iso) if iso else False
            for row in block.get("percentages") or []:
                percent = float(row.get("vatPercent") or 0.0)
                values = {
                    "country_id": country.id if country else False,
                    "sales": bool(row.get("sales")),
                    "purchase": bool(row.get("purchase")),
                    "active": True,
                }
                key = (procountor_country, percent)
                if key in rates:
                    rates[key].write(values)
                    seen_rates |= rates[key]
                else:
                    to_create.append(
                        dict(
                            values,
                            connection_id=connection.id,
                            procountor_country=procountor_country,
                            percent=percent,
                        )
                    )
        seen_rates |= Rate.create(to_create)
        (Rate.browse([r.id for r in rates.values()]) - seen_rates).write(
            {"active": False}
        )

        connection.write(
            {
                "unit_prices_include_vat_sales": bool(
                    settings.get("unitPricesIncludeVatSales")
                ),
                "unit_prices_include_vat_purchase": bool(
                    settings.get("unitPricesIncludeVatPurchase")
                ),
                "vat_fetch_date": fields.Datetime.now(),
            }
        )
        return len(seen_statuses), len(seen_rates)


class ProcountorVatRate(models.Model):
    """A VAT percentage enabled in the Procountor company for one country."""

    _name = "procountor.vat.rate"
    _description = "Procountor VAT Rate"
    _order = "connection_id, procountor_country, percent desc"
    _rec_name = "percent"

    connection_id = fields.Many2one(
        "procountor.connection", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    procountor_country = fields.Char(
        required=True,
        help="The country as Procountor names it, e.g. FINLAND.",
    )
    country_id = fields.Many2one("res.country")
    percent = fields.Float(string="VAT %", required=True, digits=(5, 2))
    sales = fields.Boolean()
    purchase = fields.Boolean()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "rate_connection_unique",
            "UNIQUE(connection_id, procountor_country, percent)",
            "A VAT rate appears once per country and Procountor connection.",
        ),
    ]

    @api.depends("percent", "procountor_country", "country_id")
    def _compute_display_name(self):
        for rate in self:
            country = rate.country_id.code or rate.procountor_country
            rate.display_name = f"{rate.percent:g} % ({country})"
