"""Typed errors raised by :class:`ProcountorClient`.

Every error carries the technical detail for logs (``str(exc)``) and a plain
English ``sentence`` that can be shown to users: no HTTP jargon, no raw
bodies, no secrets.
"""

from .redact import redact, scrub


def parse_errors(body, status=None):
    """Turn a Procountor error body into ``[{"status", "field", "message"}, ...]``.

    Understands the current shape ``{"errors": [{status, field, message}]}``
    (API_NOTES §3.6), the legacy ``{"constraintViolations": [{errorCode, ...}]}``,
    the OAuth shape ``{"error", "error_description"}`` of the token endpoint
    (API_NOTES §2.1) and a bare ``{"message": ...}``. Anything else gives ``[]``.
    """
    if isinstance(body, list):
        items = body
    elif isinstance(body, dict):
        if isinstance(body.get("errors"), list):
            items = body["errors"]
        elif isinstance(body.get("constraintViolations"), list):
            items = body["constraintViolations"]
        elif body.get("error") or body.get("error_description"):
            message = body.get("error_description") or body.get("error")
            return [{"status": status, "field": None, "message": _text(message)}]
        elif body.get("message"):
            return [
                {"status": status, "field": None, "message": _text(body["message"])}
            ]
        else:
            return []
    else:
        return []
    errors = []
    for item in items:
        if isinstance(item, dict):
            item_status = item.get("status")
            errors.append(
                {
                    "status": item_status if isinstance(item_status, int) else status,
                    "field": _text(
                        item.get("field")
                        or item.get("fieldName")
                        or item.get("propertyPath")
                    ),
                    "message": _text(
                        item.get("message") or item.get("errorCode") or item.get("code")
                    ),
                }
            )
        elif item:
            errors.append({"status": status, "field": None, "message": _text(item)})
    return errors


def _text(value):
    if value is None or value == "":
        return None
    return str(value)


class ProcountorError(Exception):
    """Base class of every error of the Procountor client.

    ``status`` is the HTTP status (None without an answer), ``errors`` the parsed
    error list, ``field``/``message`` the first error's field path and code.
    """

    default_sentence = "Procountor returned an unexpected answer."
    # Set by the client when a caller's deadline cut the call short: the
    # seconds waited.
    deadline = None

    def __init__(
        self,
        detail="",
        *,
        status=None,
        errors=None,
        method=None,
        path=None,
        host=None,
        retry_after=None,
    ):
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.errors = list(errors or [])
        self.method = method
        self.path = path
        self.host = host
        self.retry_after = retry_after

    def scrub(self, secrets):
        """Blank out the literal ``secrets`` wherever this error, and the
        errors it was raised from, carry them (detail, field paths and
        messages); return the error."""
        seen = set()
        error = self
        while isinstance(error, ProcountorError) and id(error) not in seen:
            seen.add(id(error))
            error.detail = (
                scrub(error.detail, secrets)
                if isinstance(error.detail, str)
                else error.detail
            )
            error.args = tuple(
                scrub(arg, secrets) if isinstance(arg, str) else arg
                for arg in error.args
            )
            error.errors = [
                {
                    key: scrub(value, secrets) if isinstance(value, str) else value
                    for key, value in item.items()
                }
                if isinstance(item, dict)
                else item
                for item in error.errors
            ]
            error = error.__cause__ or error.__context__
        return self

    @property
    def field(self):
        return self.errors[0].get("field") if self.errors else None

    @property
    def message(self):
        return self.errors[0].get("message") if self.errors else None

    @property
    def sentence(self):
        """One sentence for users; the subclasses know what went wrong."""
        return self.default_sentence

    def __str__(self):
        parts = []
        if self.method or self.path:
            parts.append(" ".join(p for p in (self.method, self.path) if p))
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.errors:
            parts.append(
                "; ".join(
                    f"{e['field']}: {e['message']}"
                    if e.get("field")
                    else str(e.get("message"))
                    for e in self.errors
                )
            )
        if self.detail:
            parts.append(str(self.detail))
        # Server messages and exception texts may echo what we sent.
        return redact(" | ".join(parts) or type(self).__name__, max_len=2000)


class ProcountorAuthError(ProcountorError):
    """The credentials were refused: token endpoint 400/401, or 401 after a fresh
    token."""

    default_sentence = "Procountor rejected the client ID, client secret or API key."


class ProcountorValidationError(ProcountorError):
    """Procountor refused the content of the request (400, 409, 422)."""

    @property
    def sentence(self):
        message = _clean(self.message)
        field = _clean(self.field)
        if field and message:
            return f"Procountor rejected {field}: {message}."
        if message:
            return f"Procountor rejected the request: {message}."
        return "Procountor rejected the request."


class ProcountorForbiddenError(ProcountorError):
    """403: the API user lacks rights, or the document's status forbids the action."""

    default_sentence = (
        "Procountor refused access: the API user lacks the rights for this action."
    )


class ProcountorNotFoundError(ProcountorError):
    """404: the object does not exist (or the user may not see it)."""

    default_sentence = "Procountor could not find the requested record."


class ProcountorTransientError(ProcountorError):
    """429 or 5xx after the retries ran out: trying again later may work."""

    default_sentence = "Procountor is temporarily unavailable; try again later."


class ProcountorConnectionError(ProcountorTransientError):
    """No connection: DNS failure, connection refused, connection dropped."""

    @property
    def sentence(self):
        host = self.host or "the server"
        return f"Procountor could not be reached: {host} did not answer."


class ProcountorTimeoutError(ProcountorTransientError):
    """A safe request timed out on every attempt."""

    default_sentence = "Procountor did not answer in time."


class ProcountorTLSError(ProcountorError):
    """The TLS handshake failed; verification is never turned off."""

    default_sentence = (
        "The secure connection to Procountor failed: "
        "the server certificate could not be verified."
    )


class ProcountorUnknownOutcome(ProcountorError):
    """A non-idempotent request was sent and its answer was lost.

    The object may or may not exist in Procountor: look it up (e.g. by
    ``originalInvoiceNumber``) before sending again.
    """

    default_sentence = (
        "Procountor sent the request but its answer was lost; "
        "check in Procountor before retrying."
    )


def _clean(text):
    if not text:
        return None
    return redact(str(text), max_len=300).strip().rstrip(".")
