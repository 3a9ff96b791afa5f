"""How the Procountor transport reads what came back: the typed error of a
failed send or of an answer, the parsed body of a success, and what the
logging hook (``on_call``) is told about each call.

:class:`TransportAnswers` is a base of
:class:`~.client_transport.ProcountorTransport`, which sends the calls (token,
retries, throttle) and provides ``host``, ``on_call``, ``_local`` and
``secret_values()``. No Odoo and no path of Procountor's.
"""

import json as jsonlib
import logging
import time
from urllib.parse import urlencode

import requests

from .client_http import _is_text, _json_or_none, _not_sent, _retry_after, _text_of
from .errors import (
    ProcountorAuthError,
    ProcountorConnectionError,
    ProcountorError,
    ProcountorForbiddenError,
    ProcountorNotFoundError,
    ProcountorTimeoutError,
    ProcountorTLSError,
    ProcountorTransientError,
    ProcountorUnknownOutcome,
    ProcountorValidationError,
    parse_errors,
)
from .redact import redact, scrub, truncate

# One log name for the whole client, whichever of its modules logs.
_logger = logging.getLogger(__package__ + ".client")

BODY_LOG_LIMIT = 4000
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_VALIDATION_STATUSES = frozenset({400, 409, 422})


class TransportAnswers:
    """Errors, successes and call reports of :class:`ProcountorTransport`."""

    def _answer_error(self, response, method, path, auth, idempotent):
        """The error of an answer that is neither a success nor a first 401,
        whether it may be retried, and its Retry-After; a 5xx answer to a
        create raises :class:`ProcountorUnknownOutcome` instead."""
        status = response.status_code
        retry_after = _retry_after(response)
        error = self._http_error(response, method, path, auth, retry_after)
        # 429 means the request was refused before being handled, so even a
        # create may be resent. 502-504 on a create may come after the
        # backend stored it: that is an unknown outcome, never resent.
        retryable = status in _RETRY_STATUSES and (idempotent or status == 429)
        if not idempotent and status >= 500:
            raise ProcountorUnknownOutcome(
                f"{status} answer to a non-idempotent request",
                status=status,
                errors=error.errors,
                method=method,
                path=path,
                host=self.host,
            ) from error
        return error, retryable, retry_after

    def _classify_exception(self, exc, method, path, idempotent):
        """Map a requests exception to ``(error, retryable)``."""
        kw = {"method": method, "path": path, "host": self.host}
        detail = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, requests.exceptions.SSLError):
            return ProcountorTLSError(detail, **kw), False
        if isinstance(
            exc,
            (
                requests.exceptions.InvalidURL,
                requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema,
            ),
        ):
            # A mistyped base URL: nothing was sent, and retrying will not fix it.
            return ProcountorConnectionError(detail, **kw), False
        if _not_sent(exc):
            # Nothing reached the server, so resending cannot duplicate anything.
            return ProcountorConnectionError(detail, **kw), True
        if not idempotent:
            return ProcountorUnknownOutcome(detail, **kw), False
        if isinstance(exc, requests.exceptions.Timeout):
            return ProcountorTimeoutError(detail, **kw), True
        return ProcountorConnectionError(detail, **kw), True

    def _http_error(self, response, method, path, auth, retry_after):
        status = response.status_code
        body = _json_or_none(response)
        errors = parse_errors(body, status)
        detail = "" if errors else redact(_text_of(response), max_len=500)
        kw = {
            "status": status,
            "errors": errors,
            "method": method,
            "path": path,
            "host": self.host,
            "retry_after": retry_after,
        }
        if status == 401 or (not auth and status in (400, 403)):
            # The token endpoint answers 400/401 for unknown client, secret or key.
            return ProcountorAuthError(detail, **kw)
        if status in _VALIDATION_STATUSES:
            return ProcountorValidationError(detail, **kw)
        if status == 403:
            return ProcountorForbiddenError(detail, **kw)
        if status == 404:
            return ProcountorNotFoundError(detail, **kw)
        if status == 429 or status >= 500:
            return ProcountorTransientError(detail, **kw)
        if 300 <= status < 400:
            detail = f"unexpected redirect to {response.headers.get('Location')}"
        return ProcountorError(detail, **kw)

    def _parse_success(self, response, method, path, idempotent, expect_json):
        if not expect_json:
            return response.content
        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            return jsonlib.loads(response.content)
        except ValueError:
            detail = f"answer is not JSON: {redact(_text_of(response), max_len=200)}"
            kw = {
                "status": response.status_code,
                "method": method,
                "path": path,
                "host": self.host,
            }
            if not idempotent:
                # The create went through but we cannot read what was created.
                raise ProcountorUnknownOutcome(detail, **kw) from None
            raise ProcountorError(detail, **kw) from None

    def _describe_body(self, json, data, files):
        if files:
            parts = []
            for name, spec in files.items():
                if isinstance(spec, tuple):
                    filename, content = spec[0], spec[1]
                    if filename is None:
                        parts.append(f"{name}={redact(content, max_len=1000)}")
                    else:
                        size = (
                            len(content) if isinstance(content, (bytes, str)) else "?"
                        )
                        parts.append(f"{name}=<file {filename}, {size} bytes>")
                else:
                    parts.append(f"{name}=<file>")
            return self._scrub(
                truncate("multipart: " + ", ".join(parts), BODY_LOG_LIMIT)
            )
        if json is not None:
            return self._scrub(redact(json, max_len=BODY_LOG_LIMIT))
        if data is not None:
            text = urlencode(data) if isinstance(data, dict) else data
            return self._scrub(redact(text, max_len=BODY_LOG_LIMIT))
        return ""

    def _describe_response(self, response):
        content_type = response.headers.get("Content-Type", "")
        content = response.content or b""
        if content and not _is_text(content_type):
            return f"<{len(content)} bytes {content_type or 'binary'}>"
        return self._scrub(redact(content, max_len=BODY_LOG_LIMIT))

    def _scrub(self, text):
        """Second line of defence: blank out the literal secrets wherever they
        appear."""
        return scrub(text, self.secret_values())

    def _report(
        self,
        method,
        url,
        path,
        attempt,
        started,
        request_body,
        status,
        response_body,
        error,
    ):
        duration_ms = int((time.perf_counter() - started) * 1000)
        if error:
            _logger.info(
                "Procountor %s %s -> %s in %d ms: %s",
                method,
                path,
                status,
                duration_ms,
                self._scrub(error),
            )
        else:
            _logger.debug(
                "Procountor %s %s -> %s in %d ms", method, path, status, duration_ms
            )
        if self.on_call is None:
            return
        info = {
            "method": method,
            "url": url,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
            "request_body": request_body,
            "response_body": response_body or "",
            "error": self._scrub(redact(error, max_len=BODY_LOG_LIMIT))
            if error
            else None,
            "attempt": attempt,
        }
        forward = getattr(self._local, "reports", None)
        if forward is not None:
            # A worker of map_concurrent: the caller's thread reports it.
            forward.append(info)
            return
        self._call_hook(info)

    def _call_hook(self, info):
        try:
            self.on_call(info)
        except Exception:  # the hook only logs; it must never break a call
            _logger.exception("Procountor on_call hook failed")
