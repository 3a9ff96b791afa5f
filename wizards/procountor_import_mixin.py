# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

_logger = logging.getLogger(__name__)

RESULTS = [
    ("pending", "To do"),
    ("updated", "Updated"),
    ("created", "Created"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
]
# Lines in these results are finished: applying again leaves them alone.
DONE = ("updated", "created")


class ProcountorImportMixin(models.AbstractModel):
    """What the customer and product fetch wizards share: the state, the
    summary, batched creation that isolates a failing record, and writing
    the per-line outcome in as few queries as possible."""

    _name = "procountor.import.mixin"
    _description = "Procountor Import Wizard"
    _line_model = None  # the line model's name, set by each wizard

    connection_id = fields.Many2one(
        "procountor.connection", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="connection_id.company_id")
    state = fields.Selection(
        [("review", "Review"), ("done", "Applied")], default="review", readonly=True
    )
    fetch_error = fields.Char(readonly=True)
    summary = fields.Text(readonly=True)
    has_remaining = fields.Boolean(
        compute="_compute_has_remaining",
        help="Whether some lines are neither applied nor set to do nothing.",
    )

    @api.depends("line_ids.action", "line_ids.result")
    def _compute_has_remaining(self):
        for wizard in self:
            wizard.has_remaining = bool(wizard._remaining_lines())

    def write(self, vals):
        # Its lines came from this connection's Procountor company.
        if (
            "connection_id" in vals
            and not self.env.su
            and any(wizard.connection_id.id != vals["connection_id"] for wizard in self)
        ):
            raise AccessError(self.env[self._line_model]._procountor_forged_sentence())
        return super().write(vals)

    # ------------------------------------------------------------------
    # Apply: the loop both wizards share
    # ------------------------------------------------------------------
    def action_apply(self):
        """Button "Create/update ...": apply each pending or failed line's
        action, then show the summary. Lines already applied are left alone,
        so applying twice changes nothing.

        Lines that carry a Procountor ID of their own (see
        ``_apply_own_lines``) are linked ("Update with ID") or created ("Add
        to ..."), the others (``_apply_dependent_lines``) after them, as they
        may need what the first created."""
        self.ensure_one()
        self.check_access("write")
        todo = self.line_ids.filtered(lambda line: line.result not in DONE)
        own = self._apply_own_lines(todo)
        outcome = {
            line.id: ("skipped", False, False)
            for line in todo.filtered(lambda line: line.action == "skip")
        }
        self._apply_updates(own.filtered(lambda line: line.action == "update"), outcome)
        self._apply_creates(own.filtered(lambda line: line.action == "create"), outcome)
        self._apply_dependent_lines(
            (todo - own).filtered(lambda line: line.action != "skip"), outcome
        )
        self._write_outcome(outcome)
        self.write({"state": "done", "summary": self._summary_text(todo)})
        return self._action_reopen()

    def _apply_updates(self, lines, outcome):
        """Link the chosen records to the lines' Procountor IDs, with the
        user's rights on links."""
        if self._procountor_link_refused(lines, outcome):
            return
        Line = self.env[self._line_model]
        field = Line._procountor_record_field
        Record = self.env[Line._fields[field].comodel_name]
        connection = self.connection_id
        partner_type = self._procountor_partner_type()
        for line in lines.filtered(lambda line: not line[field]):
            outcome[line.id] = ("failed", self._apply_update_error("missing"), False)
        lines = lines.filtered(field)
        # Every link of the connection, whoever may see it, to refuse clashes.
        existing = (
            self.env[Line._procountor_link_model]
            .sudo()
            .search_fetch(
                [
                    *Record._procountor_link_domain(connection, partner_type),
                    "|",
                    (field, "in", lines[field].ids),
                    ("procountor_id", "in", lines.mapped("procountor_id")),
                ],
                [field, "procountor_id"],
            )
        )
        remote_of = {link[field].id: link.procountor_id for link in existing}
        record_of = {link.procountor_id: link[field] for link in existing}
        to_link = []
        for line in lines:
            record = line[field]
            if remote_of.get(record.id) == line.procountor_id:
                outcome[line.id] = ("updated", False, record.id)
            elif record.id in remote_of:
                error = self._apply_update_error("linked", record, remote_of[record.id])
                outcome[line.id] = ("failed", error, False)
            elif line.procountor_id in record_of:
                error = self._apply_update_error("taken", record_of[line.procountor_id])
                outcome[line.id] = ("failed", error, False)
            else:
                remote_of[record.id] = line.procountor_id
                record_of[line.procountor_id] = record
                to_link.append(line)

        def link(batch):
            records = Record.browse([line[field].id for line in batch])
            records._procountor_add_links(
                connection, [line.procountor_id for line in batch], partner_type
            )
            return records.ids

        self._apply_in_batch(to_link, link, "updated", outcome)

    def _apply_creates(self, lines, outcome):
        """Create a record per line (``_apply_values``) and link it to its
        Procountor ID."""
        if not lines:
            return
        Record = self._apply_record_model()
        if not Record.has_access("create"):
            for line in lines:
                outcome[line.id] = ("failed", self._no_create_right_sentence(), False)
            return
        context = self._apply_context()
        if self._procountor_link_refused(lines, outcome):
            return
        connection = self.connection_id
        partner_type = self._procountor_partner_type()

        def create(batch):
            records = Record.create(
                [self._apply_values(line, context) for line in batch]
            )
            records.with_env(self.env)._procountor_add_links(
                connection, [line.procountor_id for line in batch], partner_type
            )
            return records.ids

        self._apply_in_batch(list(lines), create, "created", outcome)

    def _apply_in_batch(self, lines, create, result, outcome):
        """Run ``create`` over ``lines`` (see ``_in_batch``) and put each
        line's ``result`` and record, or its failure, in ``outcome``."""
        done, errors = self._in_batch(lines, create)
        for line, record_id in done.items():
            outcome[line.id] = (result, False, record_id)
        for line, error in errors.items():
            outcome[line.id] = ("failed", error, False)

    # Hooks of each wizard ---------------------------------------------
    def _apply_own_lines(self, lines):
        """The lines that carry a Procountor ID of their own."""
        return lines

    def _apply_dependent_lines(self, lines, outcome):
        """Apply the other lines not set to do nothing (none by default)."""

    def _procountor_partner_type(self):
        return "CUSTOMER"

    def _apply_record_model(self):
        """The model "Add to ..." lines create records of, set up for many."""
        raise NotImplementedError

    def _apply_context(self):
        """What ``_apply_values`` needs, read once for all lines."""
        return {}

    def _apply_values(self, line, context):
        """Values of the record an "Add to ..." line creates."""
        raise NotImplementedError

    def _apply_update_error(self, problem, record=False, other=False):
        """The sentence of an "Update with ID" line that cannot be linked:
        ``missing`` (no record chosen), ``linked`` (``record`` has Procountor
        ID ``other``) or ``taken`` (the ID is linked to record ``other``)."""
        raise NotImplementedError

    def _no_create_right_sentence(self):
        raise NotImplementedError

    def _procountor_link_refused(self, lines, outcome):
        """Fail ``lines`` when the user may not create links (Billing users
        read them only): the wizard links with the user's own rights.
        Returns whether it did."""
        if self.env[self.env[self._line_model]._procountor_link_model].has_access(
            "create"
        ):
            return False
        for line in lines:
            outcome[line.id] = (
                "failed",
                self.env._(
                    "you are not allowed to link records to Procountor IDs; ask an "
                    "accounting administrator to apply this line."
                ),
                False,
            )
        return True

    def _remaining_lines(self):
        """The lines that applying (again) would still do something with:
        not linked or created yet, and not set to do nothing."""
        self.ensure_one()
        return self.line_ids.filtered(
            lambda line: line.result not in DONE and line.action != "skip"
        )

    def _action_reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self._description,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": {"dialog_size": "extra-large"},
        }

    def _in_batch(self, items, create):
        """Run ``create(items)`` in one savepoint; if that fails, run it item
        by item so that one bad record fails alone.

        ``create`` takes a list and returns one value per item. Returns
        ``(done, errors)``: ``{item: value}`` and ``{item: sentence}``.
        """
        if not items:
            return {}, {}
        try:
            with self.env.cr.savepoint():
                return dict(zip(items, create(items), strict=True)), {}
        except (UserError, psycopg2.Error):
            _logger.info(
                "Procountor import: a batch of %s failed, retrying one by one",
                len(items),
            )
        done, errors = {}, {}
        for item in items:
            try:
                with self.env.cr.savepoint():
                    done[item] = create([item])[0]
            except UserError as error:
                errors[item] = error.args[0]
            except psycopg2.Error as error:
                _logger.warning("Procountor import: record refused", exc_info=True)
                errors[item] = self.env._(
                    "the database refused the record (%(reason)s)",
                    reason=(error.diag.message_primary or type(error).__name__),
                )
        return done, errors

    def _write_outcome(self, outcome):
        """Store ``{line id: (result, error, record id or False)}`` on the
        lines, one write per distinct outcome (the ORM turns the rest into
        batched UPDATEs at flush)."""
        Line = self.env[self._line_model]
        record_field = Line._procountor_record_field
        groups = defaultdict(list)
        for line_id, (result, error, record_id) in outcome.items():
            groups[(result, error or False, record_id or False)].append(line_id)
        for (result, error, record_id), line_ids in groups.items():
            values = {"result": result, "error": error}
            if record_id:
                values[record_field] = record_id
            Line.browse(line_ids).write(values)

    def _summary_text(self, lines):
        """Counts of the applied lines by result, then one line per failure."""
        counts = defaultdict(int)
        for line in lines:
            counts[line.result] += 1
        text = self.env._(
            "Updated: %(updated)s, created: %(created)s, skipped: %(skipped)s, "
            "failed: %(failed)s.",
            updated=counts["updated"],
            created=counts["created"],
            skipped=counts["skipped"],
            failed=counts["failed"],
        )
        failures = [
            f"{line._procountor_line_label()}: {line.error}"
            for line in lines
            if line.result == "failed"
        ]
        return "\n".join([text, *failures])


class ProcountorImportLineMixin(models.AbstractModel):
    _name = "procountor.import.line.mixin"
    _description = "Procountor Import Line"
    _order = "sequence, id"
    _procountor_record_field = None  # partner_id / product_id
    _procountor_link_model = None  # procountor.partner.link / procountor.product.link
    # Only the fetch sets these: they say which Procountor record of which
    # connection a line is, and so what applying it links.
    _procountor_fetched_fields = ("procountor_id", "wizard_id")

    sequence = fields.Integer(readonly=True)
    procountor_id = fields.Integer(string="Procountor ID", readonly=True)
    name = fields.Char(readonly=True)
    result = fields.Selection(RESULTS, default="pending", required=True, readonly=True)
    error = fields.Char(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        # Lines are what the fetch returned (created as superuser by it);
        # anyone else adding one would invent a Procountor ID to link.
        if not self.env.su:
            raise AccessError(self._procountor_forged_sentence())
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            for line in self:
                for name in self._procountor_fetched_fields:
                    if name not in vals:
                        continue
                    value = line[name]
                    if isinstance(value, models.BaseModel):
                        value = value.id
                    if (value or False) != (vals[name] or False):
                        raise AccessError(self._procountor_forged_sentence())
        return super().write(vals)

    @api.model
    def _procountor_forged_sentence(self):
        return self.env._(
            "The lines of a Procountor fetch come from Procountor only: they cannot "
            "be added, moved to another fetch or given another Procountor ID."
        )

    def _procountor_line_label(self):
        return self.env._(
            "%(name)s (Procountor ID %(id)s)", name=self.name, id=self.procountor_id
        )
