"""HTTP for tasks. The sandbox has no sockets: inside a task every request goes to
the host, which checks the task's `allowed_hosts` (on the first URL and on every
redirect) before any packet leaves, and records it. Outside a sandbox the same
calls use urllib, so a file stays ordinary Python.

    from capsule.http import get
    r = get("https://api.example.com/data", headers={"Accept": "application/json"})
    r.status_code, r.ok(), r.json()
"""

from __future__ import annotations

import base64
import json as _json
import urllib.parse
from typing import Any, Dict, Mapping, Optional, Union

__all__ = ["Response", "request", "get", "post", "put", "patch", "delete", "head"]

Data = Union[str, bytes, Mapping[str, Any], None]


class Response:
    """An HTTP response: status_code, headers, text, content, url, json(), ok()."""

    def __init__(self, status_code: int, headers: Dict[str, str], content: bytes, url: str, reason: str = "") -> None:
        self.status_code = status_code
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.content = content
        self.url = url
        self.reason = reason

    @property
    def text(self) -> str:
        charset = "utf-8"
        ctype = self.headers.get("content-type", "")
        if "charset=" in ctype:
            charset = ctype.split("charset=", 1)[1].split(";", 1)[0].strip() or charset
        return self.content.decode(charset, errors="replace")

    def json(self) -> Any:
        return _json.loads(self.text)

    def ok(self) -> bool:
        """True for a 2xx status."""
        return 200 <= self.status_code < 300

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"


def _body(data: Data, json: Any, headers: Dict[str, str]) -> Optional[bytes]:
    if json is not None and data is not None:
        raise ValueError("capsule.http: pass either json= or data=, not both")
    if json is not None:
        headers.setdefault("Content-Type", "application/json")
        return _json.dumps(json).encode("utf-8")
    if data is None:
        return None
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, Mapping):
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return urllib.parse.urlencode(data).encode("utf-8")
    raise TypeError(f"capsule.http: data= must be str, bytes or a dict, not {type(data).__name__}")


def _with_params(url: str, params: Optional[Mapping[str, Any]]) -> str:
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)


def request(
    method: str,
    url: str,
    *,
    headers: Optional[Mapping[str, str]] = None,
    params: Optional[Mapping[str, Any]] = None,
    data: Data = None,
    json: Any = None,
    timeout: Optional[float] = None,
) -> Response:
    """Sends a request; `timeout` is in seconds (the task's own timeout caps it)."""
    if not isinstance(url, str) or not url:
        raise ValueError(f"capsule.http: url must be a non-empty string, not {url!r}")
    hdrs = {str(k): str(v) for k, v in (headers or {}).items()}
    body = _body(data, json, hdrs)
    full = _with_params(url, params)
    from . import in_sandbox

    if in_sandbox():
        return _via_host(method.upper(), full, hdrs, body, timeout)
    return _via_urllib(method.upper(), full, hdrs, body, timeout)


def _via_host(method: str, url: str, headers: Dict[str, str], body: Optional[bytes], timeout: Optional[float]) -> Response:
    from . import _hostcall

    req: Dict[str, Any] = {"method": method, "url": url, "headers": headers}
    if body is not None:
        req["bodyBase64"] = base64.b64encode(body).decode("ascii")
    if timeout is not None:
        req["timeoutMs"] = int(timeout * 1000)
    res = _hostcall.call("http.request", req)
    return Response(int(res["status"]), dict(res.get("headers") or {}), base64.b64decode(res.get("bodyBase64") or ""), str(res.get("url") or url), str(res.get("reason") or ""))


def _via_urllib(method: str, url: str, headers: Dict[str, str], body: Optional[bytes], timeout: Optional[float]) -> Response:
    # Imported here: urllib.request pulls in http.client, email and ssl, which a
    # task inside the sandbox (where requests go through the host) never needs.
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout if timeout is not None else 30) as r:
            return Response(r.status, dict(r.headers.items()), r.read(), r.geturl(), r.reason or "")
    except urllib.error.HTTPError as e:  # a 4xx/5xx is a response, not an exception
        return Response(e.code, dict(e.headers.items()) if e.headers else {}, e.read() or b"", e.geturl() or url, str(e.reason or ""))


def get(url: str, **kw: Any) -> Response:
    return request("GET", url, **kw)


def post(url: str, **kw: Any) -> Response:
    return request("POST", url, **kw)


def put(url: str, **kw: Any) -> Response:
    return request("PUT", url, **kw)


def patch(url: str, **kw: Any) -> Response:
    return request("PATCH", url, **kw)


def delete(url: str, **kw: Any) -> Response:
    return request("DELETE", url, **kw)


def head(url: str, **kw: Any) -> Response:
    return request("HEAD", url, **kw)
