# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
from datetime import timedelta

from odoo import api, fields, models

from ..procountor_api import redact
from ..procountor_api.redact import scrub

_logger = logging.getLogger(__name__)

# Bodies are kept for diagnosis, not archiving: a few kilobytes show the
# problem without letting the log table grow with every invoice.
BODY_MAX_LENGTH = 4000
# The connection's default "Keep API Log (days)".
DEFAULT_RETENTION_DAYS = 30


class ProcountorLog(models.Model):
    _name = "procountor.log"
    _description = "Procountor API Call"
    _order = "id desc"
    _rec_name = "path"

    # Not required: a call made in the transaction that creates its
    # connection is logged from another transaction, where the connection
    # does not exist yet (see _log_calls); the row keeps its company.
    connection_id = fields.Many2one(
        "procountor.connection", index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
    )
    method = fields.Char(required=True)
    path = fields.Char(required=True)
    status_code = fields.Integer(string="HTTP Status")
    duration_ms = fields.Integer(string="Duration (ms)")
    attempt = fields.Integer(default=1)
    res_model = fields.Char(string="Related Model", index=True)
    res_id = fields.Many2oneReference(
        string="Related Record ID", model_field="res_model", index=True
    )
    error = fields.Text()
    request_body = fields.Text()
    response_body = fields.Text()
    success = fields.Boolean(compute="_compute_success", store=True)
    request_body_display = fields.Text(
        string="Request", compute="_compute_body_display"
    )
    response_body_display = fields.Text(
        string="Response", compute="_compute_body_display"
    )

    @api.depends("request_body", "response_body")
    def _compute_body_display(self):
        """The bodies indented for reading; left as stored when they are
        not JSON (or were cut short)."""
        for log in self:
            log.request_body_display = _indented(log.request_body)
            log.response_body_display = _indented(log.response_body)

    @api.depends("connection_id")
    def _compute_company_id(self):
        for log in self:
            log.company_id = log.connection_id.company_id or log.company_id

    @api.depends("status_code", "error")
    def _compute_success(self):
        for log in self:
            log.success = (
                not log.error and bool(log.status_code) and log.status_code < 400
            )

    @api.model
    def _log_calls(self, connection, infos, record=None, secrets=()):
        """Store the HTTP attempts the client reported.

        The client already redacts secrets; they are redacted again here, by
        name and by the literal ``secrets`` and those of the connection, so
        nothing that reaches the table can carry one. Outside tests the rows
        are written in their own transaction, so they survive whatever the
        caller's transaction does. Never raises: losing log rows must not
        break the operation that made the calls.
        """
        if not infos:
            return
        literal = [*secrets, connection.sudo().client_secret, connection.sudo().api_key]

        def clean(value):
            return scrub(redact(value, max_len=BODY_MAX_LENGTH), literal) or False

        vals_list = []
        for info in infos:
            values = {
                "connection_id": connection.id,
                "company_id": connection.company_id.id,
                "method": (info.get("method") or "")[:10],
                "path": info.get("path") or info.get("url") or "",
                "status_code": info.get("status") or 0,
                "duration_ms": int(info.get("duration_ms") or 0),
                "attempt": info.get("attempt") or 1,
                "error": clean(info.get("error")),
                "request_body": clean(info.get("request_body")),
                "response_body": clean(info.get("response_body")),
            }
            if record:
                values.update(res_model=record._name, res_id=record.id)
            vals_list.append(values)
        try:
            if not self.env["procountor.connection"]._procountor_can_commit():
                self.sudo().create(vals_list)
            else:
                self._log_calls_apart(connection, vals_list)
        except Exception:  # pylint: disable=broad-except
            _logger.warning("Could not store Procountor API log rows.", exc_info=True)

    def _log_calls_apart(self, connection, vals_list):
        """Insert the rows in a transaction of their own. A connection the
        caller's transaction created is not visible there yet: its rows are
        stored without it and linked to it once the caller commits (if it
        rolls back, they stay, with their company, as the record of calls
        that were made)."""
        with self.env.registry.cursor() as cr:
            cr.execute(
                "SELECT 1 FROM procountor_connection WHERE id = %s", [connection.id]
            )
            visible = bool(cr.fetchone())
            if not visible:
                for values in vals_list:
                    values["connection_id"] = False
            log_ids = self.with_env(self.env(cr=cr)).sudo().create(vals_list).ids
        if visible:
            return
        registry, connection_id = self.env.registry, connection.id

        def link_to_connection():
            try:
                with registry.cursor() as cr:
                    cr.execute(
                        "UPDATE procountor_log SET connection_id = %s WHERE id IN %s "
                        "AND connection_id IS NULL AND EXISTS "
                        "(SELECT 1 FROM procountor_connection WHERE id = %s)",
                        [connection_id, tuple(log_ids), connection_id],
                    )
            except Exception:  # pylint: disable=broad-except
                _logger.warning(
                    "Could not link Procountor API log rows.", exc_info=True
                )

        self.env.cr.postcommit.add(link_to_connection)

    @api.autovacuum
    def _gc_procountor_logs(self):
        """Remove log rows older than each connection's retention period."""
        connections = self.env["procountor.connection"].search(
            [("active", "in", [True, False])]
        )
        now = fields.Datetime.now()
        for retention, group in connections.grouped("log_retention_days").items():
            limit = now - timedelta(days=max(retention or 30, 1))
            self.sudo().search(
                [("connection_id", "in", group.ids), ("create_date", "<", limit)]
            ).unlink()
        # Rows of calls whose connection was never committed keep the
        # default retention.
        self.sudo().search(
            [
                ("connection_id", "=", False),
                ("create_date", "<", now - timedelta(days=DEFAULT_RETENTION_DAYS)),
            ]
        ).unlink()


def _indented(body):
    if not body:
        return body
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body
