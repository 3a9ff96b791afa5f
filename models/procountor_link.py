# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

PARTNER_TYPES = [("CUSTOMER", "Customer"), ("SUPPLIER", "Supplier")]


class ProcountorPartnerLink(models.Model):
    """The Procountor business partner an Odoo contact is, per connection.

    A link model rather than a company-dependent field: Procountor ids are
    unique only within one Procountor company (API_NOTES §3.2), a connection
    can change company, and one Odoo contact that is both customer and
    supplier is two Procountor partners (§7), so the key is (connection,
    type, contact).
    """

    _name = "procountor.partner.link"
    _description = "Procountor Business Partner Link"
    _order = "connection_id, partner_type, procountor_id"
    _rec_name = "procountor_id"

    connection_id = fields.Many2one(
        "procountor.connection", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, index=True, ondelete="cascade"
    )
    partner_type = fields.Selection(
        PARTNER_TYPES, string="Type", required=True, default="CUSTOMER"
    )
    procountor_id = fields.Integer(string="Procountor ID", required=True, index=True)

    _sql_constraints = [
        (
            "remote_unique",
            "UNIQUE(connection_id, partner_type, procountor_id)",
            "This Procountor business partner is already linked to another contact.",
        ),
        (
            "partner_unique",
            "UNIQUE(connection_id, partner_type, partner_id)",
            "A contact has one Procountor ID per connection and type.",
        ),
    ]


class ProcountorProductLink(models.Model):
    """The Procountor product an Odoo product variant is, per connection."""

    _name = "procountor.product.link"
    _description = "Procountor Product Link"
    _order = "connection_id, procountor_id"
    _rec_name = "procountor_id"

    connection_id = fields.Many2one(
        "procountor.connection", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    product_id = fields.Many2one(
        "product.product", required=True, index=True, ondelete="cascade"
    )
    procountor_id = fields.Integer(string="Procountor ID", required=True, index=True)

    _sql_constraints = [
        (
            "remote_unique",
            "UNIQUE(connection_id, procountor_id)",
            "This Procountor product is already linked to another product.",
        ),
        (
            "product_unique",
            "UNIQUE(connection_id, product_id)",
            "A product has one Procountor ID per connection.",
        ),
    ]


class ProcountorLinkMixin(models.AbstractModel):
    """Reading and writing Procountor ids of contacts and products in batches."""

    _name = "procountor.link.mixin"
    _description = "Procountor ID helpers"

    @api.model
    def _procountor_link_model(self):
        return {
            "res.partner": ("procountor.partner.link", "partner_id"),
            "product.product": ("procountor.product.link", "product_id"),
        }[self._name]

    def _procountor_link_domain(self, connection, partner_type):
        domain = [("connection_id", "=", connection.id)]
        if self._name == "res.partner":
            domain.append(("partner_type", "=", partner_type))
        return domain

    def _procountor_get_ids(self, connection, partner_type="CUSTOMER"):
        """Return {record id: Procountor id} for the records of ``self`` that
        have one on ``connection`` (one query for the whole recordset)."""
        model, field = self._procountor_link_model()
        links = (
            self.env[model]
            .sudo()
            .search_read(
                self._procountor_link_domain(connection, partner_type)
                + [(field, "in", self.ids)],
                [field, "procountor_id"],
            )
        )
        return {link[field][0]: link["procountor_id"] for link in links}

    def _procountor_set_id(self, connection, procountor_id, partner_type="CUSTOMER"):
        """Link this record to a Procountor id on ``connection``, replacing an
        earlier link of this record. Callers check rights beforehand; the
        link is written as superuser so sending an invoice can create it."""
        self.ensure_one()
        model, field = self._procountor_link_model()
        Link = self.env[model].sudo()
        existing = Link.search(
            self._procountor_link_domain(connection, partner_type)
            + [(field, "=", self.id)]
        )
        if existing:
            existing.procountor_id = procountor_id
            return existing
        return self.sudo()._procountor_add_links(
            connection, [procountor_id], partner_type
        )

    def _procountor_note_cut_name(self, connection, name, limit):
        """Say in the chatter that Procountor received ``name`` cut to its
        ``limit`` characters, so nobody looks for the full name there."""
        self.ensure_one()
        name = " ".join((name or "").split())
        if len(name) <= limit:
            return
        self._message_log(
            body=self.env._(
                "Procountor accepts names of at most %(limit)s characters: "
                "connection %(connection)s created this record there as "
                "“%(name)s”.",
                limit=limit,
                connection=connection.display_name,
                name=name[:limit],
            )
        )

    def _procountor_add_links(
        self, connection, procountor_ids, partner_type="CUSTOMER"
    ):
        """Create the links of the records of ``self`` to ``procountor_ids``
        (one per record, in the same order) on ``connection``, in one create
        and with the rights of ``self``'s user: the one place links are
        written. Callers make sure none of the records is linked yet."""
        model, field = self._procountor_link_model()
        values_list = []
        for record_id, procountor_id in zip(self.ids, procountor_ids, strict=True):
            values = {
                "connection_id": connection.id,
                field: record_id,
                "procountor_id": procountor_id,
            }
            if self._name == "res.partner":
                values["partner_type"] = partner_type
            values_list.append(values)
        return self.env[model].create(values_list)

    def _procountor_write_link_ids(self, wanted, partner_type="CUSTOMER"):
        """Store typed-in Procountor IDs ({record id: id or 0}) as links of
        the current company's connection; 0 removes the link. Runs with the
        user's rights, so only accounting managers (who may write links) can
        change IDs by hand."""
        model, field = self._procountor_link_model()
        Link = self.env[model]
        connection = self.env.company.procountor_connection_id
        if not connection:
            if any(wanted.values()):
                raise UserError(
                    self.env._(
                        "Company %(company)s has no Procountor connection; choose one "
                        "on the company form, tab Integration, before setting "
                        "Procountor IDs.",
                        company=self.env.company.display_name,
                    )
                )
            return
        links = Link.search(
            self._procountor_link_domain(connection, partner_type)
            + [(field, "in", list(wanted))]
        )
        by_record = {link[field].id: link for link in links}
        to_create = {}
        for record_id, value in wanted.items():
            link = by_record.get(record_id)
            if not value:
                if link:
                    link.unlink()
            elif not link:
                to_create[record_id] = value
            elif link.procountor_id != value:
                link.procountor_id = value
        if to_create:
            self.browse(list(to_create))._procountor_add_links(
                connection, list(to_create.values()), partner_type
            )

    @api.model
    def _procountor_find_by_ids(
        self, connection, procountor_ids, partner_type="CUSTOMER"
    ):
        """Return {Procountor id: record} for the given Procountor ids."""
        model, field = self._procountor_link_model()
        links = (
            self.env[model]
            .sudo()
            .search(
                self._procountor_link_domain(connection, partner_type)
                + [("procountor_id", "in", list(procountor_ids))]
            )
        )
        return {link.procountor_id: link[field].with_env(self.env) for link in links}
