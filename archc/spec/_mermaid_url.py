"""Mermaid's link sanitizer for ``click`` URLs (``@braintree/sanitize-url`` 7.1.2).

Under mermaid's default ``securityLevel: strict`` every ``click`` URL goes through
``sanitizeUrl``: entity/control-character decoding, ``javascript:``/``data:``/``vbscript:``
become ``about:blank``, and plain ``http(s):`` URLs are normalised the way the WHATWG URL
parser serialises them (``https://a.org`` -> ``https://a.org/``). The WHATWG parser is
approximated with ``urllib.parse`` for the common cases.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

BLANK_URL = "about:blank"
_INVALID_PROTOCOL = re.compile(r"^([^\w]*)(javascript|data|vbscript)", re.I | re.M)
_HTML_ENTITIES = re.compile(r"&#(\w+)(^\w|;)?")
_HTML_CTRL_ENTITY = re.compile(r"&(newline|tab);", re.I)
_CTRL = re.compile("[\u0000-\u001F\u007F-\u009F\u2000-\u200D\uFEFF]")
_SCHEME = re.compile(r"^.+(:|&colon;)", re.M)
_WS_ESCAPE = re.compile(r"(\\|%5[cC])((%(6[eE]|72|74))|[nrt])")
_JS_WS = "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008" \
         "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def format_url(link: str) -> str | None:
    """``utils.formatUrl``: trimmed; empty means no link; otherwise sanitised."""
    url = link.strip(_JS_WS)
    if not url:
        return None
    return sanitize_url(url)


def _decode_uri(uri: str) -> str:
    try:
        return unquote(uri, errors="strict")
    except UnicodeDecodeError:
        return uri


def _decode_html(text: str) -> str:
    text = _CTRL.sub("", text)

    def entity(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1)))
        except (ValueError, OverflowError):
            return "\u0000"

    return _HTML_ENTITIES.sub(entity, text)


def sanitize_url(url: str) -> str:
    decoded = _decode_uri(url.strip(_JS_WS))
    while True:
        decoded = _HTML_CTRL_ENTITY.sub("", _decode_html(decoded))
        decoded = _WS_ESCAPE.sub("", _CTRL.sub("", decoded))
        decoded = _decode_uri(decoded.strip(_JS_WS))
        if not (_CTRL.search(decoded) or _HTML_ENTITIES.search(decoded)
                or _HTML_CTRL_ENTITY.search(decoded) or _WS_ESCAPE.search(decoded)):
            break
    if not decoded:
        return BLANK_URL
    if decoded[0] in "./":
        return decoded
    trimmed = decoded.lstrip(_JS_WS)
    m = _SCHEME.search(trimmed)
    if not m:
        return decoded
    scheme = m.group(0).lower().strip(_JS_WS)
    if _INVALID_PROTOCOL.search(scheme):
        return BLANK_URL
    back = trimmed.replace("\\", "/")
    if scheme == "mailto:" or "://" in scheme:
        return back
    if scheme in ("http:", "https:"):
        return _whatwg_http(back)
    return back


def _whatwg_http(url: str) -> str:
    """Approximate ``new URL(url).toString()`` for http(s) URLs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return BLANK_URL
    host = parts.hostname
    if not host:
        return BLANK_URL
    netloc = host.lower()
    if parts.port is not None:
        default = {"http": 80, "https": 443}[parts.scheme.lower()]
        if parts.port != default:
            netloc += f":{parts.port}"
    if parts.username or parts.password:
        cred = parts.username or ""
        if parts.password:
            cred += ":" + parts.password
        netloc = cred + "@" + netloc
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~-._")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=?~-._") if parts.query else ""
    frag = quote(parts.fragment, safe="/%:@!$&'()*+,;=?#~-._`") if parts.fragment else ""
    return urlunsplit((parts.scheme.lower(), netloc, path, query, frag)) + \
        ("?" if not query and url.split("#")[0].endswith("?") else "")
