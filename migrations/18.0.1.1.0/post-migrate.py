# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Before 18.0.1.1.0 each connection kept its payment and vendor bill
schedules in scheduled actions of its own (columns payment_cron_id and
bill_cron_id, and the flag bill_import_enabled). Each becomes a row of the
connection's job table with the same switch, interval and next run; the old
actions, whose code calls methods that no longer exist, are removed."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

OLD_COLUMNS = ("payment_cron_id", "bill_cron_id", "bill_import_enabled")


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'procountor_connection' AND column_name IN %s",
        [OLD_COLUMNS],
    )
    present = {row[0] for row in cr.fetchall()}
    if not present:
        return
    cr.execute(
        SQL(
            "SELECT id, %s FROM procountor_connection",
            SQL(", ").join(
                SQL.identifier(name) if name in present else SQL("NULL")
                for name in OLD_COLUMNS
            ),
        )
    )
    env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
    Cron = env["ir.cron"]
    for connection_id, payment_cron_id, bill_cron_id, bill_enabled in cr.fetchall():
        connection = env["procountor.connection"].browse(connection_id)
        payment_cron = Cron.browse(payment_cron_id).exists()
        bill_cron = Cron.browse(bill_cron_id).exists()
        for kind, cron, active in (
            ("payments", payment_cron, payment_cron.active),
            ("vendor_bills", bill_cron, bool(bill_enabled)),
        ):
            if kind in connection.job_ids.mapped("kind") or not (cron or active):
                continue
            job = env["procountor.job"].create(
                {
                    "connection_id": connection.id,
                    "kind": kind,
                    "active": active,
                    "interval_number": cron.interval_number or 1,
                    "interval_type": cron.interval_type or "hours",
                }
            )
            if cron:
                job.cron_id.nextcall = cron.nextcall
                cron.unlink()
