# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Turn the planned vendor bills of ``procountor.bill.import`` into Odoo
records: suppliers, accounts, taxes, analytic distributions, bills, their
files and notes.

Every method takes the run of ``procountor.bill.import``; the plain values of
each bill come from ``procountor_api.bills.bill_values``.
"""

from odoo import Command, api, models
from odoo.tools import SQL
from odoo.tools.sql import escape_psql

from ..procountor_api import bills, registers
from .procountor_bill_import import BillRejected


class ProcountorBillRecord(models.AbstractModel):
    """The Odoo side of the vendor-bill import."""

    _name = "procountor.bill.record"
    _description = "Procountor Vendor Bill Recording"

    # ------------------------------------------------------------------
    # Lines of a bill
    # ------------------------------------------------------------------
    @api.model
    def _line_values(self, run, values, label, accounts):
        """``(lines, tax notes)``: the invoice line values of a planned bill
        (``accounts``: ``{code: account}`` of all its lines) and the notes
        about taxes that could not be chosen."""
        analytic = [self._analytic(run, line) for line in values["lines"]]
        taxes, tax_notes = [], []
        for line in values["lines"]:
            tax, note = self._tax(run, line)
            taxes.append(tax)
            if note and note not in tax_notes:
                tax_notes.append(note)
        lines = [
            {
                "name": line["description"] or label,
                "account_id": accounts[line["account"]].id,
                "price_unit": float(line["amount"]),
                "tax_ids": tax.ids,
                "analytic_distribution": distribution or False,
            }
            for line, tax, distribution in zip(
                values["lines"], taxes, analytic, strict=True
            )
        ]
        return lines, tax_notes

    @api.model
    def _currency(self, run, code):
        if code not in run.currencies:
            run.currencies[code] = self.env["res.currency"].search(
                [("name", "=", code)], limit=1
            )
        return run.currencies[code]

    @api.model
    def _accounts(self, run, codes):
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

    @api.model
    def _tax(self, run, line):
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
        key = (line["vat_percent"], line["vat_status"])
        if key not in run.taxes:
            run.taxes[key] = self._choose_tax(run, *key)
        return run.taxes[key]

    @api.model
    def _choose_tax(self, run, percent, status):
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

        exact = candidates.filtered(
            lambda tax: status is not None and status_of(tax) == status
        )
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
                percent=bills.percent_text(percent),
                taxes=", ".join(candidates.mapped("name")),
            )
        elif not candidates and percent:
            note = self.env._(
                "Odoo has no purchase tax of %(percent)s%% (VAT excluded from the "
                "price).",
                percent=bills.percent_text(percent),
            )
        return (candidates if len(candidates) == 1 else Tax, note)

    @api.model
    def _analytic(self, run, line):
        """Analytic distribution of a line: each Procountor dimension item maps
        to the analytic account of the same name (or code), when one exists.
        Needs the dimension names read into ``run.dimensions``."""
        distribution = {}
        for split in line["dimensions"]:
            names = run.dimensions.get((split["dimension_id"], split["item_id"]))
            account = names and self._analytic_account(run, *names)
            if account:
                key = str(account.id)
                distribution[key] = distribution.get(key, 0.0) + float(split["percent"])
        return distribution

    @api.model
    def _analytic_account(self, run, dimension_name, item_name):
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
                    lambda account: (
                        account.plan_id.name.lower() == dimension_name.lower()
                    )
                )
            run.analytic[key] = candidates if len(candidates) == 1 else Analytic
        return run.analytic[key]

    # ------------------------------------------------------------------
    # The bills
    # ------------------------------------------------------------------
    @api.model
    def _create_bills(self, run, prepared):
        """Suppliers, bills, totals checks, attachments, chatter and posting of
        the bills prepared by ``procountor.bill.import``, with one
        ``account.move.create`` for all. Runs in the caller's savepoint;
        raises (BillRejected with the sentence about a bill of its own) to
        have it rolled back. Returns the moves."""
        connection = run.connection
        # Bills of one supplier share its contact, found (or created) once per
        # run; contacts of a batch join the run's only once the batch is kept.
        partners = dict(run.suppliers)
        move_values = []
        for bill in prepared:
            supplier = bill["values"]["supplier"]
            key = bills.supplier_key(supplier)
            if key not in partners:
                partners[key] = self._supplier(connection, supplier)
            move_values.append(self._move_values(connection, bill, partners[key]))
        moves = self.env["account.move"].create(move_values)

        for bill, move in zip(prepared, moves, strict=True):
            self._check_totals(move, bill)
        self._attach_and_log(prepared, moves)
        if connection.bill_state == "posted":
            # As the Confirm button does: analytic plans mandatory for bills
            # are enforced, so posted bills meet the company's rules.
            moves.with_context(validate_analytic=True).action_post()
        return moves

    @api.model
    def _move_values(self, connection, bill, partner):
        values = bill["values"]
        return {
            "move_type": values["move_type"],
            "journal_id": connection.bill_journal_id.id,
            "company_id": connection.company_id.id,
            "partner_id": partner.id,
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

    @api.model
    def _attach_and_log(self, prepared, moves):
        """Store each bill's files on it and log its import as a note."""
        # The import runs as superuser, whom Odoo lets store HTML/SVG/XML as
        # such; files from Procountor are served as plain text like any
        # upload by a user who may not edit views.
        Attachment = self.env["ir.attachment"].with_context(
            attachments_mime_plainxml=True
        )
        attachment_values = []
        for bill, move in zip(prepared, moves, strict=True):
            for meta, content in bill["files"]:
                name, mimetype = bills.attachment_file(
                    meta, bill["values"]["procountor_id"]
                )
                attachment_values.append(
                    {
                        "name": name,
                        "raw": content,
                        "mimetype": mimetype,
                        "res_model": "account.move",
                        "res_id": move.id,
                    }
                )
        attachments = Attachment.create(attachment_values)
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
                body=bodies[move.id],
                attachment_ids=[Command.set(files_of[move.id].ids)],
            )
            move._message_set_main_attachment_id(files_of[move.id])

    @api.model
    def _mark_changed(self, move, sentence):
        """Flag an imported bill that Procountor changed since, once, with
        ``sentence`` in its chatter."""
        if not move.procountor_bill_changed:
            move.procountor_bill_changed = True
            move.message_post(body=sentence)

    # ------------------------------------------------------------------
    # Totals
    # ------------------------------------------------------------------
    @api.model
    def _check_totals(self, move, bill):
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
        self._keep_procountor_vat(move, currency, totals)
        odoo = {
            "untaxed": move.amount_untaxed,
            "tax": move.amount_tax,
            "total": move.amount_total,
        }
        if bills.totals_differ(odoo, totals, currency.rounding):
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

    @api.model
    def _keep_procountor_vat(self, move, currency, totals):
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
        difference = bills.vat_difference(
            move.amount_untaxed, move.amount_tax, totals, currency.rounding
        )
        if not difference:
            return
        tax_totals = move.tax_totals
        groups = []
        for subtotal in tax_totals.get("subtotals") or []:
            for group in subtotal.get("tax_groups") or []:
                if currency.is_zero(group["tax_amount_currency"]):
                    continue  # e.g. reverse charge: its VAT lines cancel out
                lines = move.invoice_line_ids.filtered(
                    lambda line, group_id=group["id"]: (
                        group_id in line.tax_ids.tax_group_id.ids
                    )
                )
                groups.append(
                    (group["id"], len(lines), bills.dec(group["tax_amount_currency"]))
                )
        adjustments = bills.spread_vat_difference(difference, groups)
        if not adjustments:
            return
        for subtotal in tax_totals["subtotals"]:
            for group in subtotal["tax_groups"]:
                if group["id"] in adjustments:
                    group["tax_amount_currency"] = float(
                        bills.money(
                            bills.dec(group["tax_amount_currency"])
                            + adjustments.pop(group["id"])
                        )
                    )
        move.tax_totals = tax_totals
        # The summary is computed from the lines: read it afresh from now on.
        move.invalidate_recordset(["tax_totals"])

    # ------------------------------------------------------------------
    # Suppliers
    # ------------------------------------------------------------------
    @api.model
    def _supplier(self, connection, supplier):
        """The contact of a bill's seller, created when none matches, and
        linked to its Procountor supplier ID."""
        partner = self._find_supplier(connection, supplier)
        if not partner:
            partner = self._create_supplier(supplier)
        if supplier["procountor_id"] and not partner._procountor_get_ids(
            connection, "SUPPLIER"
        ):
            partner._procountor_set_id(
                connection, supplier["procountor_id"], "SUPPLIER"
            )
        return partner

    @api.model
    def _find_supplier(self, connection, supplier):
        """The contact of the bill's seller: by Procountor supplier ID, then
        business ID (Company ID, then Tax ID), then exact name; None if none."""
        Partner = self.env["res.partner"]
        if supplier["procountor_id"]:
            found = Partner._procountor_find_by_ids(
                connection, [supplier["procountor_id"]], "SUPPLIER"
            ).get(supplier["procountor_id"])
            if found:
                return found
        found = self._supplier_by_business_id(connection, supplier["identifier"])
        if found:
            return found
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

    @api.model
    def _supplier_by_business_id(self, connection, identifier):
        """The company contact whose Company ID, then Tax ID, is the business
        ID ``identifier`` in any of its forms; None if none."""
        keys = registers.business_id_keys(identifier)
        if not keys:
            return None
        Partner = self.env["res.partner"]
        Partner.flush_model(
            ["company_registry", "vat", "active", "company_id", "parent_id"]
        )
        for column in ("company_registry", "vat"):
            self.env.cr.execute(
                SQL(
                    """
                    SELECT id FROM res_partner
                     WHERE active
                       AND (company_id IS NULL OR company_id = %(company)s)
                       AND upper(regexp_replace(
                               %(column)s, '[-[:space:]\u2010-\u2015]', '', 'g'))
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
        return None

    @api.model
    def _create_supplier(self, supplier):
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
