# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which Procountor VAT status the taxes and fiscal positions of Odoo's Finnish
chart (l10n_fi) stand for.

Procountor publishes the numbers of only a few VAT statuses (API_NOTES §8);
the others are read from /vats/default and recognised here by their
description. The l10n_fi records are recognised by their chart template
identifiers, so nothing depends on names a user may translate or rename.
"""

import re

from odoo import api, fields, models
from odoo.tools.sql import escape_psql

from ..procountor_api.payloads import DOMESTIC_VAT_STATUS

# What a l10n_fi record means for Procountor, by the start of its template
# identifier (the part after "account.<company id>_"). Domestic sales taxes
# are left out on purpose: a row without status follows the invoice, whose
# fiscal position says whether the sale is domestic.
L10N_FI_TAX_KINDS = (
    ("tax_dom_purchase_", "domestic"),
    ("tax_eu_sales_goods_", "eu_sales_goods"),
    ("tax_eu_sales_service_", "eu_sales_services"),
    ("tax_eu_purchase_goods_", "eu_purchase_goods"),
    ("tax_eu_purchase_service_", "eu_purchase_services"),
    ("tax_construct_sales_", "construction_sales"),
    ("tax_construct_purchase_", "construction_purchase"),
    ("tax_non_eu_purchase_goods_", "non_eu_purchase"),
    ("vat0export", "non_eu_sales"),
)
L10N_FI_POSITION_KINDS = {
    "finland": "domestic",
    "eu": "eu_sales_goods",
    "non_eu": "non_eu_sales",
    "construction": "construction_sales",
}
KIND_LABELS = {
    "domestic": "Domestic",
    "eu_sales_goods": "EU sales of goods",
    "eu_sales_services": "EU sales of services",
    "non_eu_sales": "Sales outside the EU",
    "construction_sales": "Construction services sold (reverse charge)",
    "eu_purchase_goods": "EU purchases of goods",
    "eu_purchase_services": "EU purchases of services",
    "non_eu_purchase": "Purchases of goods from outside the EU",
    "construction_purchase": "Construction services bought (reverse charge)",
}
PURCHASE_KINDS = {
    "eu_purchase_goods",
    "eu_purchase_services",
    "non_eu_purchase",
    "construction_purchase",
}


def status_kind(description):
    """The kind (a KIND_LABELS key) a Procountor VAT status description names,
    or None. English and Finnish wordings are recognised."""
    text = (description or "").lower()
    construction = "construct" in text or "rakennus" in text
    outside = "outside" in text or "ulkopuol" in text or "non-eu" in text
    eu = bool(re.search(r"\beu\b", text)) or "community" in text or "yhteisö" in text
    service = "service" in text or "palvelu" in text
    goods = "product" in text or "goods" in text or "tavara" in text
    purchase = "purchase" in text or "osto" in text or "hankin" in text
    if construction:
        return "construction_purchase" if purchase else "construction_sales"
    if outside:
        if purchase:
            return "non_eu_purchase" if not service else None
        return "non_eu_sales"
    if eu:
        if service == goods:
            return None
        if purchase:
            return "eu_purchase_services" if service else "eu_purchase_goods"
        return "eu_sales_services" if service else "eu_sales_goods"
    if "domestic" in text or "kotimaa" in text:
        return "domestic"
    return None


class ProcountorVatMapping(models.TransientModel):
    """Review of the proposed VAT statuses; Confirm writes the proposed ones on
    the records that still have none."""

    _name = "procountor.vat.mapping"
    _description = "Procountor VAT Mapping Proposal"

    connection_id = fields.Many2one(
        "procountor.connection", required=True, ondelete="cascade"
    )
    line_ids = fields.One2many("procountor.vat.mapping.line", "mapping_id")
    note = fields.Text(readonly=True)

    @api.model
    def _procountor_kind_statuses(self, connection):
        """{(kind, side): status} for every kind exactly one fetched status fits;
        side is "sale" or "purchase"."""
        connection.ensure_one()
        found = {}
        statuses = connection.vat_status_ids.filtered("active")
        for status in statuses:
            kind = (
                DOMESTIC_VAT_STATUS == status.code
                and "domestic"
                or status_kind(status.name)
            )
            if not kind:
                continue
            sides = []
            if status.sales and kind not in PURCHASE_KINDS:
                sides.append("sale")
            if status.purchase and (kind in PURCHASE_KINDS or kind == "domestic"):
                sides.append("purchase")
            for side in sides:
                found.setdefault((kind, side), []).append(status)
        return {key: values[0] for key, values in found.items() if len(values) == 1}

    @api.model
    def _procountor_l10n_fi_records(self, connection):
        """[(record, kind)] for the l10n_fi taxes (archived ones too) and fiscal
        positions of the connection's company that stand for a VAT status."""
        connection.ensure_one()
        company = connection.company_id
        prefix = f"{company.id}_"
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search(
                [
                    ("module", "=", "account"),
                    ("model", "in", ("account.tax", "account.fiscal.position")),
                    ("name", "=like", f"{escape_psql(prefix)}%"),
                ]
            )
        )
        found = []
        for item in data.sorted(lambda d: (d.model, d.res_id)):
            name = item.name[len(prefix) :]
            if item.model == "account.tax":
                kind = next(
                    (
                        kind
                        for start, kind in L10N_FI_TAX_KINDS
                        if name.startswith(start)
                    ),
                    None,
                )
            else:
                kind = L10N_FI_POSITION_KINDS.get(name)
            if not kind:
                continue
            record = (
                self.env[item.model].with_context(active_test=False).browse(item.res_id)
            )
            if record.exists() and record.company_id == company:
                found.append((record, kind))
        return found

    @api.model
    def _procountor_proposal(self, connection):
        """[{record, kind, status}] for the l10n_fi records: the status proposed
        for each (empty when no fetched status fits its kind)."""
        connection.ensure_one()
        statuses = self._procountor_kind_statuses(connection)
        proposal = []
        for record, kind in self._procountor_l10n_fi_records(connection):
            side = "sale"
            if record._name == "account.tax" and record.type_tax_use == "purchase":
                side = "purchase"
            status = statuses.get((kind, side), False)
            proposal.append({"record": record, "kind": kind, "status": status})
        return proposal

    @api.model
    def _procountor_implied_tax_statuses(self, connection):
        """{tax id: Procountor VAT status number} for l10n_fi taxes without a
        status of their own: what the mapping wizard would propose. Before VAT
        settings are fetched, domestic purchase taxes still stand for the
        Domestic status, the one number every company has (API_NOTES §8)."""
        connection.ensure_one()
        implied = {}
        for line in self._procountor_proposal(connection):
            record = line["record"]
            if record._name != "account.tax" or record.procountor_vat_status_id:
                continue
            if line["status"]:
                implied[record.id] = line["status"].code
            elif line["kind"] == "domestic" and not connection.vat_status_ids:
                implied[record.id] = DOMESTIC_VAT_STATUS
        return implied

    @api.model
    def _procountor_open(self, connection):
        """Open the review of the proposed VAT statuses of ``connection``'s
        l10n_fi taxes and fiscal positions."""
        wizard = self.create({"connection_id": connection.id})
        wizard._procountor_fill()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Proposed Procountor VAT Mapping"),
            "res_model": "procountor.vat.mapping",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def _procountor_fill(self):
        self.ensure_one()
        commands = []
        for item in self._procountor_proposal(self.connection_id):
            record = item["record"]
            current = record.procountor_vat_status_id
            if current:
                state = "kept"
            elif item["status"]:
                state = "proposed"
            else:
                state = "none"
            values = {
                "kind": item["kind"],
                "current_status_id": current.id,
                "proposed_status_id": item["status"].id if item["status"] else False,
                "state": state,
            }
            if record._name == "account.tax":
                values["tax_id"] = record.id
            else:
                values["fiscal_position_id"] = record.id
            commands.append(fields.Command.create(values))
        if not commands:
            self.note = self.env._(
                "Company %(company)s has no taxes or fiscal positions of Odoo's "
                "Finnish chart of accounts; set the Procountor VAT Status on them "
                "by hand.",
                company=self.connection_id.company_id.name,
            )
        self.line_ids = commands

    def action_confirm(self):
        """Write each proposed status on its record, unless a user set one meanwhile."""
        self.ensure_one()
        for line in self.line_ids.filtered(lambda item: item.state == "proposed"):
            record = line.tax_id or line.fiscal_position_id
            if not record.procountor_vat_status_id and line.proposed_status_id:
                record.procountor_vat_status_id = line.proposed_status_id
        return {"type": "ir.actions.act_window_close"}


class ProcountorVatMappingLine(models.TransientModel):
    _name = "procountor.vat.mapping.line"
    _description = "Procountor VAT Mapping Proposal Line"
    _order = "id"

    mapping_id = fields.Many2one(
        "procountor.vat.mapping", required=True, ondelete="cascade"
    )
    tax_id = fields.Many2one("account.tax", ondelete="cascade")
    fiscal_position_id = fields.Many2one("account.fiscal.position", ondelete="cascade")
    kind = fields.Selection(
        [(key, label) for key, label in KIND_LABELS.items()],
        string="Meaning",
        readonly=True,
    )
    current_status_id = fields.Many2one("procountor.vat.status", readonly=True)
    proposed_status_id = fields.Many2one("procountor.vat.status", readonly=True)
    state = fields.Selection(
        [
            ("proposed", "Will be set"),
            ("kept", "Kept (already set)"),
            ("none", "No matching status in Procountor"),
        ],
        string="Result",
        readonly=True,
    )
    display_record = fields.Char(string="Record", compute="_compute_display_record")

    @api.depends("tax_id", "fiscal_position_id")
    def _compute_display_record(self):
        for line in self:
            if line.tax_id:
                line.display_record = self.env._(
                    "Tax %(name)s (%(use)s)",
                    name=line.tax_id.display_name,
                    use=dict(
                        line.tax_id._fields["type_tax_use"]._description_selection(
                            self.env
                        )
                    ).get(line.tax_id.type_tax_use),
                )
            else:
                line.display_record = self.env._(
                    "Fiscal position %(name)s",
                    name=line.fiscal_position_id.display_name,
                )
