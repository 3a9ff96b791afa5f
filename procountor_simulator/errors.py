"""The one exception the simulator's domain code raises to produce an HTTP error.

Its body is Procountor's ``ErrorMessages`` shape (API_NOTES §3.6): ``{"errors":
[{"status": 400, "field": "invoiceRows[0].vatPercent", "message": "..."}]}``.
"""


def error_entry(status, message, field=None):
    """One item of ``errors[]``; ``field`` is left out for class-level errors (§3.6)."""
    entry = {"status": status}
    if field is not None:
        entry["field"] = field
    entry["message"] = message
    return entry


def error_body(status, message):
    return {"errors": [error_entry(status, message)]}


class ApiError(Exception):
    """An HTTP error answer: ``status`` plus ``errors`` as (field, message) pairs."""

    def __init__(self, status, message=None, *, field=None, errors=None, headers=None):
        super().__init__(message or status)
        self.status = status
        if errors is None:
            errors = [(field, message or "ERROR")]
        self.errors = list(errors)
        self.headers = dict(headers or {})

    def body(self):
        return {
            "errors": [error_entry(self.status, msg, fld) for fld, msg in self.errors]
        }


class Problems:
    """Collects every validation error of one request: Procountor returns them
    together."""

    def __init__(self):
        self.items = []

    def add(self, field, message):
        self.items.append((field, message))

    def __bool__(self):
        return bool(self.items)

    def raise_if_any(self, status=400):
        if self.items:
            raise ApiError(status, errors=self.items)
