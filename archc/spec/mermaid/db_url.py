"""Mermaid's link sanitizer for ``click`` URLs (``@braintree/sanitize-url`` 7.1.2).

Under mermaid's default ``securityLevel: strict`` every ``click`` URL goes through
``sanitizeUrl``: entity/control-character decoding, ``javascript:``/``data:``/``vbscript:``
become ``about:blank``, and plain ``http(s):`` URLs are normalised the way the WHATWG URL
parser serialises them (``https://a.org`` -> ``https://a.org/``). The WHATWG parser is
approximated with ``urllib.parse`` for the common cases.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

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


_FORBIDDEN_HOST = frozenset("\x00\t\n\r #/:<>?@[\\]^|%\x7f") | {chr(c) for c in range(0x20)}
_PATH_KEEP = ("!$&'()*+,-./0123456789:;=@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_"
              "abcdefghijklmnopqrstuvwxyz|~%")
_QUERY_KEEP = _PATH_KEEP + "?`{}"
_FRAGMENT_KEEP = _PATH_KEEP + "?#{}"


def _encode(text: str, keep: str) -> str:
    return quote(text, safe=keep, encoding="utf-8")


def _dot_segments(path: str) -> str:
    out: list[str] = []
    segments = path.split("/")[1:]
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg in (".", "%2e", "%2E"):
            if last:
                out.append("")
        elif seg.lower() in ("..", ".%2e", "%2e.", "%2e%2e"):
            if out:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(seg)
    return "/" + "/".join(out)


def _host(raw: str) -> str | None:
    host = unquote(raw)
    if not host or any(c in _FORBIDDEN_HOST for c in host):
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return host.lower()


def _whatwg_http(url: str) -> str:
    """Approximate ``new URL(url).toString()`` for http(s) URLs (about:blank when the
    WHATWG parser would reject it): host checked and lower-cased, default port dropped,
    dot segments resolved, path/query/fragment percent-encoded."""
    url = url.replace("\t", "").replace("\n", "").replace("\r", "")
    scheme, _, rest = url.partition(":")
    scheme = scheme.lower()
    rest = rest.lstrip("/")
    cut = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i != -1),
              default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    userinfo, _, hostport = authority.rpartition("@")
    host_raw, _, port = hostport.partition(":") if not hostport.startswith("[") \
        else (hostport, "", "")
    host = _host(host_raw)
    if host is None or (port and (not port.isdigit() or int(port) > 65535)):
        return BLANK_URL
    netloc = host
    if port and int(port) != {"http": 80, "https": 443}[scheme]:
        netloc += f":{int(port)}"
    if userinfo:
        netloc = _encode(userinfo, _PATH_KEEP.replace("@", "")) + "@" + netloc
    path, hash_, fragment = tail.partition("#")
    path, question, query = path.partition("?")
    result = f"{scheme}://{netloc}{_dot_segments(_encode(path or '/', _PATH_KEEP))}"
    if question:
        result += "?" + _encode(query, _QUERY_KEEP.replace("'", ""))
    if hash_:
        result += "#" + _encode(fragment, _FRAGMENT_KEEP)
    return result
