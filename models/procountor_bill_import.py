# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import mimetypes

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.sql import escape_psql

from ..procountor_api import ProcountorError, bills, registers

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
        invoice_filters = {
            "types": bills.PURCHASE_INVOICE,
            "status": ",".join(bills.ACCEPTED_STATUSES),
            "orderById": "ASC",
        }
        receipt_filters = {"types": bills.PURCHASE_INVOICE, "orderById": "ASC"}
        if connection.bill_start_date:
            invoice_filters["startDate"] = receipt_filters["startDate"] = (
                connection.bill_start_date.isoformat()
            )
        if connection.bill_invoice_version:
            invoice_filters["versionStartDate"] = connection.bill_invoice_version
        if connection.bill_receipt_version:
            receipt_filters["versionStartDate"] = connection.bill_receipt_version
        with connection._procountor_api() as client:
            run = BillImportRun(connection, client)
            try:
                # Receipts edited on their own do not necessarily touch the
                # invoice's version [INFER], so changed receipts are listed too
                # (their status filter takes one value only, API_NOTES §6).
                # Both listings are read at once.
                invoice_rows, receipt_rows = client.map_concurrent(
                    lambda listing: list(listing[0](**listing[1])),
                    [(client.search_invoices, invoice_filters),
                     (client.search_ledger_receipts, receipt_filters)],
                )
            except ProcountorError as error:
                _logger.warning(
                    "Procountor vendor bill listing of connection %s failed: %s",
                    connection.id,
                    error,
                )
                run.fatal = connection._procountor_error_sentence(error)
                return run

            ids = [row.get("id") for row in invoice_rows]
            ids += [int(i) for i in (connection.bill_retry_ids or "").split(",") if i.strip()]
            receipt_ids = [row.get("id") for row in receipt_rows if row.get("id")]
            if receipt_ids:
                ids += (
                    importer.env["account.move"]
                    .search(
                        [
                            ("procountor_connection_id", "=", connection.id),
                            ("procountor_receipt_id", "in", receipt_ids),
                        ]
                    )
                    .mapped("procountor_bill_id")
                )
            ids = list(dict.fromkeys(i for i in ids if i))
            batches = [ids[start : start + BATCH_SIZE] for start in range(0, len(ids), BATCH_SIZE)]
            # Several batches are read at once (the HTTP work only, each
            # batch's errors kept apart); the job's cursor then handles them
            # one after the other.
            for start in range(0, len(batches), client.concurrency):
                group = batches[start : start + client.concurrency]
                reads = client.map_concurrent(lambda batch: importer._procountor_read_batch(
                    client, batch), group)
                for batch, read in zip(group, reads, strict=True):
                    importer._procountor_import_batch(run, batch, read)

        values = {
            "bill_last_fetch": started,
            "bill_retry_ids": ",".join(str(i) for i in run.retry_ids) or False,
        }
        versions = [row.get("version") for row in invoice_rows if row.get("version")]
        if versions:
            values["bill_invoice_version"] = max(versions)
        versions = [row.get("version") for row in receipt_rows if row.get("version")]
        if versions:
            values["bill_receipt_version"] = max(versions)
        connection.write(values)
        importer.env["ir.cron"]._notify_progress(done=run.imported, remaining=0)
        return run

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
                    [inv.get("ledgerReceiptId") for inv in invoices if inv.get("ledgerReceiptId")],
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
        start_date = connection.bill_start_date and connection.bill_start_date.isoformat()
        pending = []
        for invoice in sorted(invoices, key=lambda inv: (inv.get("date") or "", inv.get("id"))):
            # Ids to retry or from changed receipts may no longer be wanted.
            if (
                invoice.get("type") != bills.PURCHASE_INVOICE
                or invoice.get("status") not in bills.ACCEPTED_STATUSES
                or (start_date and (invoice.get("date") or "") < start_date)
            ):
                continue
            receipt = receipts.get(invoice.get("ledgerReceiptId"))
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
            except (BillRejected, UserError, ValidationError, psycopg2.IntegrityError) as error:
                _logger.info(
                    "Procountor vendor bill batch of %s bills of connection %s redone one "
                    "by one: %s",
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
        values = bills.bill_values(invoice, receipt)
        if invoice.get("ledgerReceiptId") != move.procountor_receipt_id:
            what = self.env._(
                "it has a new ledger receipt %(receipt)s instead of %(old)s",
                receipt=invoice.get("ledgerReceiptId"),
                old=move.procountor_receipt_id,
            )
        elif receipt is not None and values["checksum"] != move.procountor_receipt_checksum:
            what = self.env._("the accounts or amounts of its ledger receipt were edited")
        else:
            run.skipped += 1
            return
        sentence = self.env._(
            "%(bill)s changed in Procountor after it was imported as %(move)s (%(what)s); "
            "the Odoo bill was left as it is, check it.",
            bill=self._procountor_bill_label(values),
            move=move.display_name,
            what=what,
        )
        run.changed.append(sentence)
        if not move.procountor_bill_changed:
            move.procountor_bill_changed = True
            move.message_post(body=sentence)

    def _procountor_prepare_bill(self, run, invoice, receipt):
        """Look up and download everything the vendor bill of one invoice
        needs; return it as a dict for :meth:`_procountor_create_bills`, or
        record why it cannot be imported and return None."""
        values = bills.bill_values(invoice, receipt)
        label = self._procountor_bill_label(values)
        procountor_id = values["procountor_id"]
        connection = run.connection
        company = connection.company_id

        if values["problems"]:
            run.fail([procountor_id], self._procountor_problem_sentence(label, values))
            return None
        currency = self._procountor_currency(run, values["currency"])
        if not currency:
            run.fail(
                [procountor_id],
                self.env._(
                    "%(bill)s: its currency %(currency)s is not active in Odoo; activate "
                    "it, then fetch again.",
                    bill=label,
                    currency=values["currency"],
                ),
            )
            return None
        accounts = self._procountor_accounts(run, [line["account"] for line in values["lines"]])
        missing = sorted({line["account"] for line in values["lines"]} - set(accounts))
        if missing:
            run.fail(
                [procountor_id],
                self.env._(
                    "%(bill)s: account codes %(codes)s do not exist in Odoo company "
                    "%(company)s; create them (or correct the accounts in Procountor), "
                    "then fetch again.",
                    bill=label,
                    codes=", ".join(missing),
                    company=company.name,
                ),
            )
            return None
        try:
            analytic = [self._procountor_analytic(run, line) for line in values["lines"]]
            files = [
                run.client.download_attachment(item["id"]) for item in values["attachments"]
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
                    "%(bill)s: its dimensions or its image could not be read and it will "
                    "be fetched again next time: %(reason)s",
                    bill=label,
                    reason=connection._procountor_error_sentence(error),
                ),
            )
            return None
        taxes, tax_notes = [], []
        for line in values["lines"]:
            tax, note = self._procountor_tax(run, line)
            taxes.append(tax)
            if note and note not in tax_notes:
                tax_notes.append(note)
        return {
            "values": values,
            "label": label,
            "currency": currency,
            "lines": [
                {
                    "name": line["description"] or label,
                    "account_id": accounts[line["account"]].id,
                    "price_unit": float(line["amount"]),
                    "tax_ids": tax.ids,
                    "analytic_distribution": distribution or False,
                }
                for line, tax, distribution in zip(values["lines"], taxes, analytic, strict=True)
            ],
            "files": files,
            "tax_notes": tax_notes,
        }

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
                "Procountor bill %s of connection %s refused by Odoo", procountor_id,
                connection.id, exc_info=True,
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
            run.suppliers[_supplier_key(bill["values"]["supplier"])] = move.partner_id

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

    def _procountor_create_bills(self, run, prepared):
        """Suppliers, bills, totals checks, attachments, chatter and posting of
        the bills prepared by :meth:`_procountor_prepare_bill`, with one
        ``account.move.create`` for all. Runs in the caller's savepoint;
        raises (BillRejected with the sentence about a bill of its own) to
        have it rolled back. Returns the moves."""
        connection = run.connection
        company = connection.company_id
        # Bills of one supplier share its contact, found (or created) once per
        # run; contacts of a batch join the run's only once the batch is kept.
        partners = dict(run.suppliers)
        move_values = []
        for bill in prepared:
            values = bill["values"]
            supplier = values["supplier"]
            key = _supplier_key(supplier)
            if key not in partners:
                partners[key] = self._procountor_bill_supplier(connection, supplier)
            move_values.append(
                {
                    "move_type": values["move_type"],
                    "journal_id": connection.bill_journal_id.id,
                    "company_id": company.id,
                    "partner_id": partners[key].id,
                    "invoice_date": values["date"],
                    # Procountor's due date stands, not one from Odoo payment terms.
                    "invoice_payment_term_id": False,
                    "invoice_date_due": values["due_date"] or values["date"],
                    "ref": values["ref"] or False,
                    "payment_reference": values["payment_reference"] or False,
                    "currency_id": bill["currency"].id,
                    "invoice_line_ids": [
                        Command.create(
                            dict(line, quantity=1, tax_ids=[Command.set(line["tax_ids"])])
                        )
                        for line in bill["lines"]
                    ],
                    "procountor_connection_id": connection.id,
                    "procountor_bill_id": values["procountor_id"],
                    "procountor_receipt_id": values["receipt_id"],
                    "procountor_receipt_version": values["receipt_version"],
                    "procountor_receipt_checksum": values["checksum"],
                }
            )
        moves = self.env["account.move"].create(move_values)

        for bill, move in zip(prepared, moves, strict=True):
            self._procountor_check_totals(move, bill)

        # The import runs as superuser, whom Odoo lets store HTML/SVG/XML as
        # such; files from Procountor are served as plain text like any
        # upload by a user who may not edit views.
        attachments = self.env["ir.attachment"].with_context(attachments_mime_plainxml=True).create(
            [
                {
                    "name": meta.get("name") or f"procountor_{bill['values']['procountor_id']}",
                    "raw": content,
                    "mimetype": meta.get("mimeType")
                    or mimetypes.guess_type(meta.get("name") or "")[0]
                    or "application/octet-stream",
                    "res_model": "account.move",
                    "res_id": move.id,
                }
                for bill, move in zip(prepared, moves, strict=True)
                for meta, content in bill["files"]
            ]
        )
        # Logged as notes, as a user's note would be, but without Odoo reading
        # the PDF for lines: the PDF is the bill's image.
        bodies = {
            move.id: self.env._(
                "Imported from Procountor: purchase invoice %(number)s (ID %(id)s, "
                "status %(status)s), ledger receipt %(receipt)s.",
                number=bill["values"]["number"],
                id=bill["values"]["procountor_id"],
                status=bill["values"]["status"],
                receipt=bill["values"]["receipt_id"],
            )
            for bill, move in zip(prepared, moves, strict=True)
        }
        files_of = {}
        for attachment in attachments:
            files_of.setdefault(attachment.res_id, attachment.browse())
            files_of[attachment.res_id] |= attachment
        plain = moves.filtered(lambda move: move.id not in files_of)
        if plain:
            plain._message_log_batch(bodies)
        for move in moves - plain:
            move._message_log(
                body=bodies[move.id], attachment_ids=[Command.set(files_of[move.id].ids)]
            )
            move._message_set_main_attachment_id(files_of[move.id])
        if connection.bill_state == "posted":
            # As the Confirm button does: analytic plans mandatory for bills
            # are enforced, so posted bills meet the company's rules.
            moves.with_context(validate_analytic=True).action_post()
        return moves

    def _procountor_bill_supplier(self, connection, supplier):
        """The contact of a bill's seller, created when none matches, and
        linked to its Procountor supplier ID."""
        partner = self._procountor_find_supplier(connection, supplier)
        if not partner:
            partner = self._procountor_create_supplier(supplier)
        if supplier["procountor_id"] and not partner._procountor_get_ids(
            connection, "SUPPLIER"
        ):
            partner._procountor_set_id(connection, supplier["procountor_id"], "SUPPLIER")
        return partner

    def _procountor_check_totals(self, move, bill):
        """Take Procountor's currency rate and VAT rounding, then refuse the
        bill (BillRejected) when its totals still differ from Procountor's."""
        values, currency = bill["values"], bill["currency"]
        company = move.company_id
        if (
            currency != company.currency_id
            and values["accounting_currency"] == company.currency_id.name
        ):
            # Same convention both sides: invoice-currency units per unit of
            # company currency (API_NOTES §4.2); Procountor's rate keeps the
            # company-currency amounts of the two books together. Written
            # after creation, when Odoo has set its own rate from the date.
            move.invoice_currency_rate = float(values["rate"])

        totals = values["totals"]
        self._procountor_keep_procountor_vat(move, currency, totals)
        odoo = {
            "untaxed": move.amount_untaxed,
            "tax": move.amount_tax,
            "total": move.amount_total,
        }
        if any(currency.compare_amounts(odoo[key], float(totals[key])) for key in odoo):
            sentence = self.env._(
                "%(bill)s: the Odoo totals (untaxed %(untaxed)s, VAT %(tax)s, total "
                "%(total)s %(currency)s) differ from Procountor's (untaxed "
                "%(p_untaxed)s, VAT %(p_tax)s, total %(p_total)s), so no bill was "
                "created.",
                bill=bill["label"],
                untaxed=format(odoo["untaxed"], ".2f"),
                tax=format(odoo["tax"], ".2f"),
                total=format(odoo["total"], ".2f"),
                currency=currency.name,
                p_untaxed=format(totals["untaxed"], ".2f"),
                p_tax=format(totals["tax"], ".2f"),
                p_total=format(totals["total"], ".2f"),
            )
            if bill["tax_notes"]:
                sentence = f"{sentence} {' '.join(bill['tax_notes'])}"
            raise BillRejected(sentence)

    def _procountor_keep_procountor_vat(self, move, currency, totals):
        """Make the bill's VAT Procountor's to the cent where only rounding
        separates them, as an accountant would in the tax totals of the bill.

        Procountor books the VAT of a bill entered with prices including VAT
        as gross minus net (124.00 = 98.80 + 25.20) or may round per total;
        Odoo computes VAT from the net amounts (25.19). When the untaxed
        amounts agree and the VAT differs by at most a cent per line with VAT
        (procountor_api.bills.ROUNDING_PER_LINE), the difference is written on
        the tax line(s) through the tax totals, the way the tax totals widget
        does when a user edits a tax amount. A larger difference is left for
        the totals check to refuse.
        """
        if currency.compare_amounts(move.amount_untaxed, float(totals["untaxed"])):
            return
        difference = totals["tax"] - bills.money(move.amount_tax)
        if not difference:
            return
        tax_totals = move.tax_totals
        groups = []
        for subtotal in tax_totals.get("subtotals") or []:
            for group in subtotal.get("tax_groups") or []:
                if currency.is_zero(group["tax_amount_currency"]):
                    continue  # e.g. reverse charge: its VAT lines cancel out
                lines = move.invoice_line_ids.filtered(
                    lambda line, group_id=group["id"]: group_id in line.tax_ids.tax_group_id.ids
                )
                groups.append((group["id"], len(lines), bills.dec(group["tax_amount_currency"])))
        adjustments = bills.spread_vat_difference(difference, groups)
        if not adjustments:
            return
        for subtotal in tax_totals["subtotals"]:
            for group in subtotal["tax_groups"]:
                if group["id"] in adjustments:
                    group["tax_amount_currency"] = float(
                        bills.money(
                            bills.dec(group["tax_amount_currency"]) + adjustments.pop(group["id"])
                        )
                    )
        move.tax_totals = tax_totals
        # The summary is computed from the lines: read it afresh from now on.
        move.invalidate_recordset(["tax_totals"])

    # ------------------------------------------------------------------
    # Lookups
    # ------------------------------------------------------------------
    def _procountor_currency(self, run, code):
        if code not in run.currencies:
            run.currencies[code] = self.env["res.currency"].search(
                [("name", "=", code)], limit=1
            )
        return run.currencies[code]

    def _procountor_accounts(self, run, codes):
        """{code: account} for the codes that name a usable account of the
        connection's company (Procountor account number = Odoo account code)."""
        wanted = set(codes) - set(run.accounts)
        if wanted:
            company = run.connection.company_id
            Account = self.env["account.account"].with_company(company)
            found = Account.search(
                [
                    ("code", "in", list(wanted)),
                    ("deprecated", "=", False),
                    *Account._check_company_domain(company),
                ]
            )
            by_code = {account.code: account for account in found}
            for code in wanted:
                run.accounts[code] = by_code.get(code)
        return {code: run.accounts[code] for code in codes if run.accounts.get(code)}

    def _procountor_tax(self, run, line):
        """``(tax, note)``: the purchase tax for the line's VAT percent and
        Procountor VAT status, or no tax and a note saying why when none or
        several fit.

        Amounts from Procountor are net (API_NOTES §6), so only taxes that
        exclude VAT qualify. A tax's VAT status is the one set on it, else for
        a tax of Odoo's Finnish chart the one its meaning implies (what *Propose
        VAT Mapping* would set). Taxes with the line's status come first; among
        several, the company's default purchase tax, then the lowest sequence,
        then the oldest tax is taken. Without such a tax, taxes without any
        status qualify, but several of those are not guessed between: the bill
        then lacks VAT, the totals check refuses it and the note names the
        taxes to sort out.
        """
        percent, status = line["vat_percent"], line["vat_status"]
        key = (percent, status)
        if key not in run.taxes:
            Tax = self.env["account.tax"]
            company = run.connection.company_id
            candidates = Tax.search(
                [
                    ("type_tax_use", "=", "purchase"),
                    ("amount_type", "=", "percent"),
                    ("amount", "=", float(percent)),
                    *Tax._check_company_domain(company),
                ]
            ).filtered(lambda tax: not tax.price_include)
            if run.implied_statuses is None:
                run.implied_statuses = run.connection._procountor_implied_tax_statuses()

            def status_of(tax):
                if tax.procountor_vat_status_id:
                    return tax.procountor_vat_status_id.code
                return run.implied_statuses.get(tax.id)

            exact = candidates.filtered(lambda tax: status is not None and status_of(tax) == status)
            if exact:
                default = company.account_purchase_tax_id
                candidates = exact.sorted(
                    lambda tax: (tax != default, tax.sequence, tax.id)
                )[:1]
            else:
                candidates = candidates.filtered(lambda tax: status_of(tax) is None)
            note = False
            if len(candidates) > 1:
                note = self.env._(
                    "Several purchase taxes of %(percent)s%% fit (%(taxes)s); keep one "
                    "or give each its Procountor VAT status.",
                    percent=_percent(percent),
                    taxes=", ".join(candidates.mapped("name")),
                )
            elif not candidates and percent:
                note = self.env._(
                    "Odoo has no purchase tax of %(percent)s%% (VAT excluded from the "
                    "price).",
                    percent=_percent(percent),
                )
            run.taxes[key] = (candidates if len(candidates) == 1 else Tax, note)
        return run.taxes[key]

    def _procountor_analytic(self, run, line):
        """Analytic distribution of a line: each Procountor dimension item maps
        to the analytic account of the same name (or code), when one exists.
        Reads the dimension names from Procountor once per run."""
        distribution = {}
        for split in line["dimensions"]:
            if run.dimensions is None:
                run.dimensions = {}
                for dimension in run.client.get_dimensions():
                    for item in dimension.get("items") or []:
                        run.dimensions[(dimension.get("id"), item.get("id"))] = (
                            dimension.get("name") or "",
                            item.get("codeName") or "",
                        )
            names = run.dimensions.get((split["dimension_id"], split["item_id"]))
            account = names and self._procountor_analytic_account(run, *names)
            if account:
                key = str(account.id)
                distribution[key] = distribution.get(key, 0.0) + float(split["percent"])
        return distribution

    def _procountor_analytic_account(self, run, dimension_name, item_name):
        key = (dimension_name, item_name)
        if key not in run.analytic:
            company = run.connection.company_id
            Analytic = self.env["account.analytic.account"]
            pattern = escape_psql(item_name)
            candidates = Analytic.search(
                [
                    "|",
                    ("name", "=ilike", pattern),
                    ("code", "=ilike", pattern),
                    *Analytic._check_company_domain(company),
                ]
            )
            if len(candidates) > 1:
                # The same item name in several plans: the plan named like the
                # Procountor dimension decides.
                candidates = candidates.filtered(
                    lambda account: account.plan_id.name.lower() == dimension_name.lower()
                )
            run.analytic[key] = candidates if len(candidates) == 1 else Analytic
        return run.analytic[key]

    def _procountor_find_supplier(self, connection, supplier):
        """The contact of the bill's seller: by Procountor supplier ID, then
        business ID (Company ID, then Tax ID), then exact name; None if none."""
        Partner = self.env["res.partner"]
        if supplier["procountor_id"]:
            found = Partner._procountor_find_by_ids(
                connection, [supplier["procountor_id"]], "SUPPLIER"
            ).get(supplier["procountor_id"])
            if found:
                return found
        keys = registers.business_id_keys(supplier["identifier"])
        if keys:
            Partner.flush_model(["company_registry", "vat", "active", "company_id", "parent_id"])
            for column in ("company_registry", "vat"):
                self.env.cr.execute(
                    SQL(
                        """
                        SELECT id FROM res_partner
                         WHERE active
                           AND (company_id IS NULL OR company_id = %(company)s)
                           AND upper(regexp_replace(%(column)s, '[-[:space:]\u2010-\u2015]', '', 'g'))
                               = ANY(%(keys)s)
                         ORDER BY parent_id IS NOT NULL, id
                         LIMIT 1
                        """,
                        company=connection.company_id.id,
                        column=SQL.identifier(column),
                        keys=sorted(keys),
                    )
                )
                row = self.env.cr.fetchone()
                if row:
                    return Partner.browse(row[0]).commercial_partner_id
        if supplier["name"]:
            found = Partner.search(
                [
                    ("name", "=ilike", escape_psql(supplier["name"])),
                    ("parent_id", "=", False),
                    *Partner._check_company_domain(connection.company_id),
                ],
                order="id",
                limit=1,
            )
            if found:
                return found
        return None

    def _procountor_create_supplier(self, supplier):
        values = registers.contact_values(supplier["contact"])
        country_code = values.pop("country_code")
        country = country_code and self.env["res.country"].search(
            [("code", "=", country_code)], limit=1
        )
        values.update(
            name=values["name"] or self.env._("Procountor supplier"),
            supplier_rank=1,
            country_id=country.id if country else False,
        )
        return self.env["res.partner"].create(values)

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


def _supplier_key(supplier):
    """What finding the contact of a bill's supplier depends on."""
    return (supplier["procountor_id"], supplier["identifier"], supplier["name"])


def _percent(value):
    """25.50 -> '25.5', 14.0 -> '14'."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
