"""A small ASGI-to-Lambda adapter with Mangum's interface: handler =
Mangum(app). It reads API Gateway proxy events (payload 1.0 and 2.0) and
Lambda function URL events, runs one HTTP request through the ASGI app and
returns the proxy response."""
import asyncio
import base64
from urllib.parse import urlencode

__all__ = ["Mangum"]

_TEXT_TYPES = ("json", "xml", "javascript", "ecmascript")


def _is_text(content_type):
    ct = (content_type or "").split(";")[0].strip().lower()
    return ct.startswith("text/") or any(ct.endswith("/" + t) or ct.endswith("+" + t) for t in _TEXT_TYPES)


class Mangum:
    def __init__(self, app, lifespan="off", api_gateway_base_path="/"):
        self.app = app
        self.base_path = "/" + api_gateway_base_path.strip("/") if api_gateway_base_path.strip("/") else ""

    def __call__(self, event, context):
        v2 = event.get("version") == "2.0"
        scope, body = self._scope(event, v2)
        status, headers, out = asyncio.run(self._run(scope, body))
        return self._response(status, headers, out, v2, "multiValueHeaders" in event)

    def _scope(self, event, v2):
        ctx = event.get("requestContext") or {}
        if v2:
            method = ctx.get("http", {}).get("method", "GET")
            path = event.get("rawPath") or "/"
            stage = ctx.get("stage")
            if stage and stage != "$default" and path.startswith("/" + stage + "/"):
                path = path[len(stage) + 1:]
            query = (event.get("rawQueryString") or "").encode()
            headers = [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in (event.get("headers") or {}).items()]
            if event.get("cookies"):
                headers.append((b"cookie", "; ".join(event["cookies"]).encode("latin-1")))
            source_ip = ctx.get("http", {}).get("sourceIp", "")
        else:
            method = event.get("httpMethod", "GET")
            path = event.get("path") or "/"
            mv = event.get("multiValueQueryStringParameters") or {}
            query = urlencode([(k, v) for k, vs in mv.items() for v in vs]).encode() if mv else \
                urlencode(event.get("queryStringParameters") or {}).encode()
            headers = []
            for k, vs in (event.get("multiValueHeaders") or {}).items():
                headers += [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for v in vs]
            if not headers:
                headers = [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in (event.get("headers") or {}).items()]
            source_ip = ctx.get("identity", {}).get("sourceIp", "")
        if self.base_path and path.startswith(self.base_path):
            path = path[len(self.base_path):] or "/"
        body = event.get("body") or ""
        body = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
        host = dict(headers).get(b"host", b"localhost").decode()
        scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.0"}, "http_version": "1.1",
            "method": method, "scheme": "https" if dict(headers).get(b"x-forwarded-proto") == b"https" else "http",
            "path": path, "raw_path": None, "root_path": "", "query_string": query, "headers": headers,
            "client": (source_ip, 0), "server": (host.split(":")[0], 80),
            "aws.event": event,
        }
        return scope, body

    async def _run(self, scope, body):
        sent = {"status": 500, "headers": [], "body": bytearray()}
        received = False

        async def receive():
            nonlocal received
            if not received:
                received = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        async def send(message):
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
                sent["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                sent["body"] += message.get("body", b"")

        await self.app(scope, receive, send)
        return sent["status"], sent["headers"], bytes(sent["body"])

    def _response(self, status, raw_headers, body, v2, multi):
        headers, cookies, multi_headers = {}, [], {}
        for k, v in raw_headers:
            name, value = k.decode("latin-1").lower(), v.decode("latin-1")
            if name == "set-cookie":
                cookies.append(value)
                continue
            headers[name] = headers[name] + "," + value if name in headers else value
            multi_headers.setdefault(name, []).append(value)
        text = _is_text(headers.get("content-type"))
        out = {"statusCode": status, "isBase64Encoded": not text and bool(body),
               "body": body.decode() if text or not body else base64.b64encode(body).decode()}
        if v2:
            out["headers"] = headers
            out["cookies"] = cookies
        elif multi:
            if cookies:
                multi_headers["set-cookie"] = cookies
            out["multiValueHeaders"] = multi_headers
        else:
            out["headers"] = headers
        return out
