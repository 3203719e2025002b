"""Keep Git credentials out of every message, exception and log line.

Tokens are often the *user* part of a URL (``https://<token>@host/...``), so the whole
userinfo is dropped for display, not just the password.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

# scheme://userinfo@ anywhere in a text; userinfo never contains '/', '@' or whitespace.
_USERINFO_IN_TEXT = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)[^/@\s]+@")


def redact_url(url: str) -> str:
    """``https://user:pass@host/x.git`` -> ``https://host/x.git``; other strings unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    if not parts.scheme or "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def url_credentials(url: str) -> tuple[str, str]:
    """The (username, password) embedded in a URL, percent-decoded; empty when absent."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "", ""
    if "@" not in parts.netloc:
        return "", ""
    userinfo = parts.netloc.rsplit("@", 1)[0]
    user, _, password = userinfo.partition(":")
    return unquote(user), unquote(password)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Strip URL userinfo from free text (git's stderr) and mask any known secret strings."""
    out = _USERINFO_IN_TEXT.sub(lambda m: m.group("scheme"), text)
    for secret in secrets:
        if secret:
            out = out.replace(secret, "***")
    return out


def secrets_of(url: str) -> tuple[str, ...]:
    """What must never be shown for this URL: the password, or the user when it is a token.

    With ``user:password`` the user is an ordinary name (often ``git``); masking it would
    shred messages without protecting anything.
    """
    user, password = url_credentials(url)
    return (password,) if password else (user,) if user else ()
