"""Masking of secrets in anything that may end up in a log."""

import json
import re

MASK = "***"

# Compared after lower-casing and dropping "_" and "-", so "api_key",
# "apiKey" and "Api-Key" all match.
_SECRET_KEYS = frozenset(
    {
        "clientsecret",
        "apikey",
        "accesstoken",
        "refreshtoken",
        "password",
        "authorization",
    }
)
_KEY_RE = (
    r"client[_-]?secret|api[_-]?key|access[_-]?token|refresh[_-]?token"
    r"|password|authorization"
)

# "key": "value" / 'key': 'value' (JSON or Python repr); an unterminated value (text
# cut short) is masked up to the end.
_QUOTED_RE = re.compile(
    r"""(?P<head>(?P<q>["'])(?:%s)(?P=q)\s*:\s*)"""
    r"""(?P<vq>["'])(?:\\.|(?!(?P=vq)).)*(?:(?P=vq)|$)""" % _KEY_RE,
    re.IGNORECASE | re.DOTALL,
)
# "key": 123 and other unquoted values; null stays visible.
_QUOTED_BARE_RE = re.compile(
    r"""(?P<head>(?P<q>["'])(?:%s)(?P=q)\s*:\s*)(?P<val>[^\s"',}\]]+)""" % _KEY_RE,
    re.IGNORECASE,
)
# key=value in form bodies and query strings.
_FORM_RE = re.compile(
    r"(?P<head>(?:^|(?<=[&?;\s]))(?:%s)=)[^&\s;]*" % _KEY_RE, re.IGNORECASE
)
# "Authorization: Bearer x" header lines and bearer tokens (8+ characters, so that
# prose such as "bearer of" survives).
_BEARER_RE = re.compile(r"(?P<head>\bBearer\s+)[A-Za-z0-9\-._~+/]{8,}=*", re.IGNORECASE)
_HEADER_RE = re.compile(
    r"(?P<head>\b(?:%s)\s*:\s*)(?![\"'])(?:[A-Za-z]+\s+)?[^\s,;]+" % _KEY_RE,
    re.IGNORECASE,
)


def redact(value, max_len=4000):
    """Return ``value`` as text with secret values replaced by ``***``.

    ``value`` may be a dict/list (masked by key, then dumped as JSON), bytes,
    or a string holding JSON, a form-encoded body or free text. The result is
    cut to ``max_len`` characters (None: no limit) with a marker saying so.
    """
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, (dict, list, tuple)):
        text = json.dumps(_mask(value), ensure_ascii=False, default=str)
    else:
        text = str(value)
        stripped = text.strip()
        if max_len is not None and len(text) > 2 * max_len + 1000:
            # Parsing a long body only to show its start would cost more than the call
            # itself; the patterns also catch a value cut short.
            dropped = len(text) - max_len
            return f"{_redact_text(text[:max_len])}...[truncated {dropped} chars]"
        if stripped[:1] in ("{", "["):
            try:
                parsed = json.loads(stripped)
            except ValueError:
                parsed = None
            if isinstance(parsed, (dict, list)):
                text = json.dumps(_mask(parsed), ensure_ascii=False, default=str)
        text = _redact_text(text)
    return truncate(text, max_len)


def scrub(text, secrets):
    """Return ``text`` with every literal occurrence of ``secrets`` replaced by ``***``.

    Patterns only catch secrets under their usual names; a server message
    that quotes a value ("key abc123 is not valid") is caught only by the
    value itself. Values shorter than 4 characters are left alone, as
    blanking them would garble ordinary text. Longest first, so a secret
    that contains another is masked whole.
    """
    if not text or not isinstance(text, str):
        return text
    for secret in sorted({str(s) for s in secrets or () if s}, key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, MASK)
    return text


def truncate(text, max_len):
    """Cut ``text`` to ``max_len`` characters, saying how much was dropped."""
    if max_len is None or len(text) <= max_len:
        return text
    return f"{text[:max_len]}...[truncated {len(text) - max_len} chars]"


def _is_secret_key(key):
    return (
        isinstance(key, str)
        and key.lower().replace("_", "").replace("-", "") in _SECRET_KEYS
    )


def _mask(obj):
    if isinstance(obj, dict):
        return {
            k: (MASK if _is_secret_key(k) and v not in (None, "") else _mask(v))
            for k, v in obj.items()
        }
    if isinstance(obj, (list, tuple)):
        return [_mask(v) for v in obj]
    if isinstance(obj, str):
        return _redact_text(obj)
    return obj


def _redact_text(text):
    text = _QUOTED_RE.sub(lambda m: f"{m['head']}{m['vq']}{MASK}{m['vq']}", text)
    text = _QUOTED_BARE_RE.sub(
        lambda m: m[0] if m["val"] == "null" else f"{m['head']}{MASK}", text
    )
    text = _FORM_RE.sub(lambda m: f"{m['head']}{MASK}", text)
    text = _BEARER_RE.sub(lambda m: f"{m['head']}{MASK}", text)
    text = _HEADER_RE.sub(lambda m: f"{m['head']}{MASK}", text)
    return text
