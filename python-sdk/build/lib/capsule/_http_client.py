"""`http.client` inside the sandbox. There are no sockets: an HTTPConnection
collects the request it would have written (request line, headers, body) and
hands it to the host's HTTP gate (op http.request, through capsule.http), which
applies the task's allowed_hosts on the URL and on every redirect. The answer
is replayed into a real `http.client.HTTPResponse`, so `getresponse()`,
`read()`, `getheader()` and `status` behave as usual. TLS is the host's job, so
`HTTPSConnection` exists even though this Python has no `_ssl`.

Installed by the driver at snapshot time (`capsule._guest.preload`).
"""
import io

# Hop-by-hop and framing headers: the host's HTTP client sets its own.
_REQUEST_SKIP = frozenset({"host", "content-length", "transfer-encoding", "connection", "accept-encoding", "keep-alive"})
# The host hands back a decoded, complete body: its framing no longer applies.
_RESPONSE_SKIP = frozenset({"content-length", "transfer-encoding", "content-encoding", "connection", "keep-alive"})


class _Replay:
    """What HTTPResponse needs of a socket: a file to parse the response from."""

    def __init__(self, data):
        self._data = data

    def makefile(self, mode, *args, **kwargs):
        return io.BytesIO(self._data)

    def close(self):
        pass


def _as_bytes(data):
    if isinstance(data, str):
        return data.encode("iso-8859-1")
    return bytes(data)


def _connect(self):
    """No socket to open: the request goes to the host in getresponse()."""
    self._capsule_connected = True


def _send(self, data):
    parts = self.__dict__.setdefault("_capsule_body", [])
    if hasattr(data, "read"):
        while True:
            block = data.read(self.blocksize)
            if not block:
                break
            parts.append(_as_bytes(block))
    elif isinstance(data, (bytes, bytearray, memoryview, str)):
        parts.append(_as_bytes(data))
    else:
        for block in data:
            parts.append(_as_bytes(block))


def _send_output(self, message_body=None, encode_chunked=False):
    # The request line and headers that http.client built, kept whole; the body
    # is collected unchunked (the host frames it again).
    self._capsule_head = b"\r\n".join(self._buffer)
    del self._buffer[:]
    self._capsule_body = []
    if message_body is not None:
        self.send(message_body)


def _target_url(self, target):
    if target.startswith(("http://", "https://")):
        return target
    # With set_tunnel() the request is for the tunnel's far end (there is no proxy here).
    tunnel = getattr(self, "_tunnel_host", None)
    host, port = (tunnel, getattr(self, "_tunnel_port", None)) if tunnel else (self.host, self.port)
    scheme = "https" if self.default_port == 443 else "http"
    if ":" in host and not host.startswith("["):
        host = "[%s]" % host
    suffix = "" if port in (None, self.default_port) else ":%d" % port
    return "%s://%s%s%s" % (scheme, host, suffix, target)


def _getresponse(self):
    import http.client as hc
    from capsule import http as capsule_http

    head = self.__dict__.pop("_capsule_head", None)
    body = b"".join(self.__dict__.pop("_capsule_body", None) or [])
    # Ready for the next request on this connection, whatever happens below.
    self._HTTPConnection__state = hc._CS_IDLE
    self._HTTPConnection__response = None
    if head is None:
        raise hc.ResponseNotReady("no request was sent on this connection")
    lines = head.decode("iso-8859-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name and name.strip().lower() not in _REQUEST_SKIP:
            headers[name.strip()] = value.strip()
    timeout = self.timeout if isinstance(self.timeout, (int, float)) else None
    res = capsule_http._via_host(method, _target_url(self, target), headers, body if body or method not in ("GET", "HEAD") else None, timeout)
    reason = res.reason or hc.responses.get(res.status_code, "")
    out = ["HTTP/1.1 %d %s" % (res.status_code, reason)]
    out += ["%s: %s" % (k, v) for k, v in res.headers.items() if k.lower() not in _RESPONSE_SKIP]
    out += ["Content-Length: %d" % len(res.content), "Connection: close", "", ""]
    raw = "\r\n".join(out).encode("iso-8859-1", errors="replace") + res.content
    response = self.response_class(_Replay(raw), self.debuglevel, method=method)
    response.begin()
    return response


def install():
    import http.client as hc
    import socket

    conn = hc.HTTPConnection
    conn.connect = _connect
    conn.send = _send
    conn._send_output = _send_output
    conn.getresponse = _getresponse

    if not hasattr(hc, "HTTPSConnection"):
        class HTTPSConnection(hc.HTTPConnection):
            """HTTPS through the host, which does the TLS (context and key
            arguments are accepted and ignored: the host verifies certificates)."""

            default_port = hc.HTTPS_PORT

            def __init__(self, host, port=None, key_file=None, cert_file=None, timeout=socket._GLOBAL_DEFAULT_TIMEOUT,
                         source_address=None, *, context=None, check_hostname=None, blocksize=8192):
                super().__init__(host, port, timeout, source_address, blocksize=blocksize)

        hc.HTTPSConnection = HTTPSConnection
        if "HTTPSConnection" not in hc.__all__:
            hc.__all__.append("HTTPSConnection")
