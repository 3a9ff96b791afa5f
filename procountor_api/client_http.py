"""Small pieces of HTTP handling the Procountor transport uses: answers,
headers, exceptions and JSON encoding. No Odoo and no state."""

import decimal
import email.utils
import errno
import json as jsonlib
import socket
from datetime import date, datetime, timezone

import requests
from urllib3.exceptions import NewConnectionError


def _read_seconds(timeout):
    """The read part of a requests timeout, in whole seconds for a sentence."""
    read = timeout[1] if isinstance(timeout, tuple) else timeout
    return max(1, round(read))


def _strip_query(path):
    return path.split("?", 1)[0]


def _retry_after(response):
    """Seconds from a ``Retry-After`` header (seconds or HTTP-date), or None."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _send_headers(has_json, token, headers):
    """The headers of one attempt: JSON answers, the bearer token, the caller's."""
    send_headers = {"Accept": "application/json"}
    if has_json:
        send_headers["Content-Type"] = "application/json"
    if token:
        send_headers["Authorization"] = f"Bearer {token}"
    send_headers.update(headers or {})
    return send_headers


def _not_sent(exc):
    """True when the exception proves the request never reached the server.

    ConnectTimeout and a refused/unresolvable connection happen before the
    request is written; a reset or a read timeout may come after it.
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return False
    seen = set()
    stack = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(
            item, (NewConnectionError, ConnectionRefusedError, socket.gaierror)
        ):
            return True
        if isinstance(item, OSError) and item.errno in (
            errno.ECONNREFUSED,
            errno.EHOSTUNREACH,
            errno.ENETUNREACH,
        ):
            return True
        if isinstance(item, BaseException):
            stack.extend(a for a in item.args if isinstance(a, BaseException))
            stack.append(item.__cause__)
            stack.append(item.__context__)
        stack.append(getattr(item, "reason", None))
    return False


def _json_default(value):
    """JSON for values Odoo hands over: Decimal as number, dates as yyyy-MM-dd
    (API_NOTES §3.1)."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _json_or_none(response):
    try:
        return jsonlib.loads(response.content) if response.content else None
    except ValueError:
        return None


def _text_of(response):
    return (response.content or b"").decode("utf-8", errors="replace")


def _is_text(content_type):
    content_type = content_type.lower()
    return (
        not content_type
        or content_type.startswith("text/")
        or "json" in content_type
        or "xml" in content_type
        or "x-www-form-urlencoded" in content_type
    )
