# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Import the accepted purchase invoices of Procountor as vendor bills.

A run reads, plans and applies. It lists the invoices (and ledger receipts)
changed since the last run, reads them 200 at a time with their receipts
(several batches at once, API_NOTES §3.3) and plans each invoice with
``procountor_api.bills``: already imported (skipped, or reported when
Procountor changed its accounting since), or a new bill, whose lookups and
files are gathered before anything is written. ``procountor.bill.record``
then makes the Odoo records of the planned bills, CREATE_BATCH_SIZE at a time.
"""

import logging

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..procountor_api import ProcountorError, bills

_logger = logging.getLogger(__name__)

# Batch GETs take at most 200 ids (API_NOTES §3.3).
BATCH_SIZE = 200
# Bills created (and committed) together by one account.move.create: the ORM
# creates, checks and logs moves much faster in batches.
CREATE_BATCH_SIZE = 200


class BillRejected(Exception):
    """Raised inside a bill's savepoint to undo it; carries the user sentence."""


class BillImportRun:
    """What one import run did, plus lookups it reuses from bill to bill."""

    def __init__(self, connection, client=None):
        self.connection = connection
        self.client = client
        self.imported = self.skipped = self.failed = 0
        self.moves = []
        self.changed = []  # sentences about bills Procountor changed after import
        self.failures = []  # sentences about bills that were not imported
        self.retry_ids = []  # Procountor ids to try again next run
        self.fatal = None  # sentence when the run could not list the bills
        self.accounts = {}
        self.taxes = {}
        self.analytic = {}
        self.currencies = {}
        self.dimensions = None
        self.dimensions_error = None  # how reading the dimensions failed
        self.suppliers = {}  # supplier key: contact, of bills created (kept) so far
        self.implied_statuses = None  # {tax id: VAT status} of l10n_fi taxes

    def fail(self, procountor_ids, sentence, count=None):
        self.failed += len(procountor_ids) if count is None else count
        self.failures.append(sentence)
        self.retry_ids.extend(i for i in procountor_ids if i not in self.retry_ids)


class ProcountorBillImport(models.AbstractModel):
    """Accepted purchase invoices from Procountor -> vendor bills (API_NOTES §5, §6).

    Each bill is all or nothing: everything is looked up and downloaded
    first, then supplier, bill, attachments and posting happen in a
    savepoint that is rolled back when anything (the totals check included)
    fails. Bills are created CREATE_BATCH_SIZE at a time in one savepoint; a
    batch that fails is redone bill by bill, each in its own savepoint, so
    only the bad bill is left out and reported.
    """

    _name = "procountor.bill.import"
    _description = "Procountor Vendor Bill Import"

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------
    @api.model
    def _procountor_import_bills(self, connection):
        """Import the accepted bills of ``connection`` changed since its last run.

        Returns the run. Never raises Procountor errors; outside tests each
        batch of created bills is committed on its own, so one failure keeps
        the others.
        """
        connection.ensure_one()
        importer = self.sudo().with_company(connection.company_id)
        connection = connection.with_env(importer.env)
        if not connection.bill_journal_id:
            run = BillImportRun(connection)
            run.fatal = self.env._(
                "Connection %(name)s: choose the Vendor Bill Journal on the Fetching "
                "Options tab.",
                name=connection.display_name,
            )
            return run
        try:
            connection._procountor_client()
        except UserError as error:
            # Missing credentials: the scheduled run must report, not crash.
            run = BillImportRun(connection)
            run.fatal = error.args[0]
            return run

        started = fields.Datetime.now()
        with connection._procountor_api() as client:
            run = BillImportRun(connection, client)
            listed = importer._procountor_list(run)
            if listed is None:
                return run
            invoice_rows, receipt_rows = listed
            importer._procountor_import_listed(run, invoice_rows, receipt_rows)

        values = {
            "bill_last_fetch": started,
            "bill_retry_ids": bills.ids_text(run.retry_ids) or False,
        }
        version = bills.latest_version(invoice_rows)
        if version:
            values["bill_invoice_version"] = version
        version = bills.latest_version(receipt_rows)
        if version:
            values["bill_receipt_version"] = version
        connection.write(values)
        importer.env["ir.cron"]._notify_progress(done=run.imported, remaining=0)
        return run

    @api.model
    def _procountor_list(self, run):
        """``(invoice rows, receipt rows)`` changed since the last run, both
        listings read at once; None (with ``run.fatal`` set) when they could
        not be read."""
        connection, client = run.connection, run.client
        invoice_filters, receipt_filters = bills.listing_filters(
            connection.bill_start_date and connection.bill_start_date.isoformat(),
            connection.bill_invoice_version,
            connection.bill_receipt_version,
        )
        try:
            invoice_rows, receipt_rows = client.map_concurrent(
                lambda listing: list(listing[0](**listing[1])),
                [
                    (client.search_invoices, invoice_filters),
                    (client.search_ledger_receipts, receipt_filters),
                ],
            )
        except ProcountorError as error:
            _logger.warning(
                "Procountor vendor bill listing of connection %s failed: %s",
                connection.id,
                error,
            )
            run.fatal = connection._procountor_error_sentence(error)
            return None
        return invoice_rows, receipt_rows

    @api.model
    def _procountor_import_listed(self, run, invoice_rows, receipt_rows):
        """Read and import the listed bills, those to try again and those
        whose receipt changed, BATCH_SIZE at a time."""
        connection, client = run.connection, run.client
        receipt_ids = bills.row_ids(receipt_rows)
        receipt_bill_ids = []
        if receipt_ids:
            receipt_bill_ids = (
                self.env["account.move"]
                .search(
                    [
                        ("procountor_connection_id", "=", connection.id),
                        ("procountor_receipt_id", "in", receipt_ids),
                    ]
                )
                .mapped("procountor_bill_id")
            )
        ids = bills.ids_to_read(
            invoice_rows, bills.parse_ids(connection.bill_retry_ids), receipt_bill_ids
        )
        batches = bills.batches(ids, BATCH_SIZE)
        # Several batches are read at once (the HTTP work only, each
        # batch's errors kept apart); the job's cursor then handles them
        # one after the other.
        for start in range(0, len(batches), client.concurrency):
            group = batches[start : start + client.concurrency]
            reads = client.map_concurrent(
                lambda batch: self._procountor_read_batch(client, batch), group
            )
            for batch, read in zip(group, reads, strict=True):
                self._procountor_import_batch(run, batch, read)

    @api.model
    def _procountor_read_batch(self, client, ids):
        """Read up to 200 invoices and their receipts; no database work (it
        may run in a worker thread). Returns ``(invoices, receipts by id)``,
        or the ProcountorError that stopped the reading."""
        try:
            invoices = client.get_invoices(ids)
            receipts = {
                receipt.get("id"): receipt
                for receipt in client.get_ledger_receipts(
                    bills.receipt_ids_of(invoices)
                )
            }
        except ProcountorError as error:
            return error
        return invoices, receipts

    def _procountor_import_batch(self, run, ids, read=None):
        """Handle each bill of a batch read by :meth:`_procountor_read_batch`
        (read now when ``read`` is not given)."""
        connection = run.connection
        if read is None:
            read = self._procountor_read_batch(run.client, ids)
        if isinstance(read, ProcountorError):
            error = read
            _logger.warning(
                "Procountor vendor bills %s of connection %s could not be read: %s",
                ids,
                connection.id,
                error,
            )
            run.fail(
                ids,
                self.env._(
                    "%(count)s Procountor bills could not be read and will be fetched "
                    "again next time: %(reason)s",
                    count=len(ids),
                    reason=connection._procountor_error_sentence(error),
                ),
            )
            return
        invoices, receipts = read
        imported = {
            move.procountor_bill_id: move
            for move in self.env["account.move"].search(
                [
                    ("procountor_connection_id", "=", connection.id),
                    ("procountor_bill_id", "in", ids),
                ]
            )
        }
        start_date = (
            connection.bill_start_date and connection.bill_start_date.isoformat()
        )
        pending = []
        for invoice, receipt in bills.plan_batch(invoices, receipts, start_date):
            move = imported.get(invoice.get("id"))
            if move:
                self._procountor_check_imported(run, move, invoice, receipt)
                continue
            bill = self._procountor_prepare_bill(run, invoice, receipt)
            if bill:
                pending.append(bill)
            if len(pending) >= CREATE_BATCH_SIZE:
                self._procountor_create_pending(run, pending)
                pending = []
        self._procountor_create_pending(run, pending)

    def _procountor_create_pending(self, run, pending):
        """Create the prepared bills of ``pending`` together; when that fails,
        redo them one by one so that only the bad bills are left out. Outside
        tests the outcome is committed: a bill and its Procountor id are
        stored in the same transaction, so no bill is ever imported twice,
        and the bills of an interrupted batch are imported by the next run."""
        if len(pending) > 1:
            try:
                with self.env.cr.savepoint():
                    moves = self._procountor_create_bills(run, pending)
            except (
                BillRejected,
                UserError,
                ValidationError,
                psycopg2.IntegrityError,
            ) as error:
                _logger.info(
                    "Procountor vendor bill batch of %s bills of connection %s redone "
                    "one by one: %s",
                    len(pending),
                    run.connection.id,
                    error,
                )
            else:
                self._procountor_keep_created(run, pending, moves)
                pending = []
        for bill in pending:
            self._procountor_create_one(run, bill)
        if run.connection._procountor_can_commit():
            # Keep the finished bills (and their API log) whatever happens to
            # the next ones.
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _procountor_create_one(self, run, bill):
        """Create one prepared bill in its own savepoint, or record why not."""
        procountor_id = bill["values"]["procountor_id"]
        connection = run.connection
        label = bill["label"]
        try:
            with self.env.cr.savepoint():
                move = self._procountor_create_bills(run, [bill])
        except BillRejected as rejection:
            run.fail([procountor_id], str(rejection))
        except (UserError, ValidationError) as error:
            _logger.warning(
                "Procountor bill %s of connection %s refused by Odoo",
                procountor_id,
                connection.id,
                exc_info=True,
            )
            run.fail(
                [procountor_id],
                self.env._(
                    "%(bill)s: Odoo refused the bill: %(reason)s",
                    bill=label,
                    reason=error.args[0] if error.args else str(error),
                ),
            )
        except psycopg2.errors.UniqueViolation:
            # Another run imported it at the same moment (the SQL constraint
            # on connection + Procountor id held).
            run.skipped += 1
        else:
            self._procountor_keep_created(run, [bill], move)

    def _procountor_keep_created(self, run, prepared, moves):
        """Count the bills created (and not rolled back) and remember their
        suppliers' contacts for the rest of the run."""
        run.imported += len(moves)
        run.moves.extend(moves)
        for bill, move in zip(prepared, moves, strict=True):
            run.suppliers[bills.supplier_key(bill["values"]["supplier"])] = (
                move.partner_id
            )

    def _procountor_create_bills(self, run, prepared):
        """Make the Odoo records of the bills prepared by
        :meth:`_procountor_prepare_bill` (see ``procountor.bill.record``), in
        the caller's savepoint. Returns the moves."""
        return self.env["procountor.bill.record"]._create_bills(run, prepared)

    # ------------------------------------------------------------------
    # One bill
    # ------------------------------------------------------------------
    def _procountor_bill_label(self, values):
        return self.env._(
            "Procountor bill %(number)s from %(supplier)s",
            number=values["number"] or values["procountor_id"],
            supplier=values["supplier"]["name"] or "?",
        )

    def _procountor_check_imported(self, run, move, invoice, receipt):
        """Count an already imported bill as skipped, or report that Procountor
        changed its accounting since; the Odoo bill is never changed."""
        change = bills.receipt_change(
            invoice,
            receipt,
            move.procountor_receipt_id,
            move.procountor_receipt_checksum,
        )
        if change == bills.NEW_RECEIPT:
            what = self.env._(
                "it has a new ledger receipt %(receipt)s instead of %(old)s",
                receipt=invoice.get("ledgerReceiptId"),
                old=move.procountor_receipt_id,
            )
        elif change == bills.EDITED_RECEIPT:
            what = self.env._(
                "the accounts or amounts of its ledger receipt were edited"
            )
        else:
            run.skipped += 1
            return
        sentence = self.env._(
            "%(bill)s changed in Procountor after it was imported as %(move)s "
            "(%(what)s); the Odoo bill was left as it is, check it.",
            bill=self._procountor_bill_label(bills.bill_values(invoice, receipt)),
            move=move.display_name,
            what=what,
        )
        run.changed.append(sentence)
        self.env["procountor.bill.record"]._mark_changed(move, sentence)

    def _procountor_prepare_bill(self, run, invoice, receipt):
        """Look up and download everything the vendor bill of one invoice
        needs; return it as a dict for :meth:`_procountor_create_bills`, or
        record why it cannot be imported and return None."""
        values = bills.bill_values(invoice, receipt)
        label = self._procountor_bill_label(values)
        procountor_id = values["procountor_id"]
        connection = run.connection
        Record = self.env["procountor.bill.record"]

        if values["problems"]:
            run.fail([procountor_id], self._procountor_problem_sentence(label, values))
            return None
        currency = Record._currency(run, values["currency"])
        if not currency:
            run.fail(
                [procountor_id],
                self.env._(
                    "%(bill)s: its currency %(currency)s is not active in Odoo; "
                    "activate it, then fetch again.",
                    bill=label,
                    currency=values["currency"],
                ),
            )
            return None
        codes = [line["account"] for line in values["lines"]]
        accounts = Record._accounts(run, codes)
        missing = sorted(set(codes) - set(accounts))
        if missing:
            run.fail(
                [procountor_id],
                self.env._(
                    "%(bill)s: account codes %(codes)s do not exist in Odoo company "
                    "%(company)s; create them (or correct the accounts in Procountor), "
                    "then fetch again.",
                    bill=label,
                    codes=", ".join(missing),
                    company=connection.company_id.name,
                ),
            )
            return None
        try:
            if any(line["dimensions"] for line in values["lines"]):
                self._procountor_read_dimensions(run)
            files = [
                run.client.download_attachment(item["id"])
                for item in values["attachments"]
            ]
        except ProcountorError as error:
            _logger.warning(
                "Procountor bill %s of connection %s: reading its dimensions or files "
                "failed: %s",
                procountor_id,
                connection.id,
                error,
            )
            run.fail(
                [procountor_id],
                self.env._(
                    "%(bill)s: its dimensions or its image could not be read and it "
                    "will be fetched again next time: %(reason)s",
                    bill=label,
                    reason=connection._procountor_error_sentence(error),
                ),
            )
            return None
        lines, tax_notes = Record._line_values(run, values, label, accounts)
        return {
            "values": values,
            "label": label,
            "currency": currency,
            "lines": lines,
            "files": files,
            "tax_notes": tax_notes,
        }

    @api.model
    def _procountor_read_dimensions(self, run):
        """Read Procountor's dimension names into ``run.dimensions``, once a
        run. When the reading failed, every later bill with dimensions fails
        with the same error, without asking again, rather than coming in
        without its analytic distribution."""
        if run.dimensions_error is not None:
            raise run.dimensions_error
        if run.dimensions is None:
            try:
                run.dimensions = bills.dimension_names(run.client.get_dimensions())
            except ProcountorError as error:
                run.dimensions_error = error
                raise

    def _procountor_problem_sentence(self, label, values):
        problem = values["problems"][0]
        if problem == bills.NO_RECEIPT:
            return self.env._(
                "%(bill)s: Procountor returned no ledger receipt for it; it will be "
                "fetched again next time.",
                bill=label,
            )
        if problem == bills.NO_TOTALS:
            return self.env._(
                "%(bill)s: Procountor returned no totals for it, so they cannot be "
                "checked; it will be fetched again next time.",
                bill=label,
            )
        if problem == bills.NO_ACCOUNT:
            return self.env._(
                "%(bill)s: a row of its ledger receipt has no account; set it in "
                "Procountor.",
                bill=label,
            )
        return self.env._(
            "%(bill)s: its ledger receipt has no cost rows to build the bill from.",
            bill=label,
        )

    @api.model
    def _procountor_tax(self, run, line):
        """``(tax, note)`` for a planned bill line: see
        ``procountor.bill.record._tax``."""
        return self.env["procountor.bill.record"]._tax(run, line)

    # ------------------------------------------------------------------
    # Summary
    # ------------------------------------------------------------------
    @api.model
    def _procountor_summary(self, run):
        """The run as text: one line of counts, then one line per problem."""
        if run.fatal:
            return self.env._(
                "Vendor bills were not fetched: %(reason)s", reason=run.fatal
            )
        lines = [
            self.env._(
                "Vendor bills from Procountor: %(imported)s imported, %(skipped)s "
                "skipped (already imported), %(changed)s changed after import, "
                "%(failed)s failed.",
                imported=run.imported,
                skipped=run.skipped,
                changed=len(run.changed),
                failed=run.failed,
            )
        ]
        lines += [f"- {sentence}" for sentence in run.failures + run.changed]
        return "\n".join(lines)
