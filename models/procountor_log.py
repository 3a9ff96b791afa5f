# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
from datetime import timedelta

from odoo import api, fields, models

from ..procountor_api import redact

_logger = logging.getLogger(__name__)

# Bodies are kept for diagnosis, not archiving: a few kilobytes show the
# problem without letting the log table grow with every invoice.
BODY_MAX_LENGTH = 4000


class ProcountorLog(models.Model):
    _name = "procountor.log"
    _description = "Procountor API Call"
    _order = "id desc"
    _rec_name = "path"

    connection_id = fields.Many2one(
        "procountor.connection", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="connection_id.company_id", store=True, index=True
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

    @api.depends("status_code", "error")
    def _compute_success(self):
        for log in self:
            log.success = (
                not log.error and bool(log.status_code) and log.status_code < 400
            )

    @api.model
    def _log_calls(self, connection, infos, record=None):
        """Store the HTTP attempts the client reported.

        The client already redacts secrets; they are redacted again here so
        nothing that reaches the table can carry one. Never raises: losing log
        rows must not break the operation that made the calls.
        """
        if not infos:
            return
        vals_list = []
        for info in infos:
            values = {
                "connection_id": connection.id,
                "method": (info.get("method") or "")[:10],
                "path": info.get("path") or info.get("url") or "",
                "status_code": info.get("status") or 0,
                "duration_ms": int(info.get("duration_ms") or 0),
                "attempt": info.get("attempt") or 1,
                "error": redact(info.get("error"), max_len=BODY_MAX_LENGTH) or False,
                "request_body": redact(info.get("request_body"), max_len=BODY_MAX_LENGTH)
                or False,
                "response_body": redact(info.get("response_body"), max_len=BODY_MAX_LENGTH)
                or False,
            }
            if record:
                values.update(res_model=record._name, res_id=record.id)
            vals_list.append(values)
        try:
            if not self.env["procountor.connection"]._procountor_can_commit():
                self.sudo().create(vals_list)
            else:
                # A separate transaction, so the rows survive when the caller's
                # transaction is rolled back after a failure.
                with self.env.registry.cursor() as cr:
                    self.with_env(self.env(cr=cr)).sudo().create(vals_list)
        except Exception:  # pylint: disable=broad-except
            _logger.warning("Could not store Procountor API log rows.", exc_info=True)

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


def _indented(body):
    if not body:
        return body
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body
