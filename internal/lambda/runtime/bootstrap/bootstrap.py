# tenkai's Python bootstrap: runs a Lambda handler behind the Runtime API (2018-06-01)
# with the standard library only. Started as `python bootstrap.py` in LAMBDA_TASK_ROOT.
import sys
import os

# Drop this file's directory from sys.path: user modules must not see it.
_here = os.path.dirname(os.path.abspath(__file__))
if sys.path and os.path.abspath(sys.path[0] or ".") == _here:
    del sys.path[0]

import decimal
import http.client
import importlib
import json
import logging
import time
import traceback

_TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
if _TASK_ROOT not in sys.path:
    sys.path.insert(0, _TASK_ROOT)
if os.environ.get("_TENKAI_PY_SDK"):
    sys.path.append(os.environ.pop("_TENKAI_PY_SDK"))

_API = os.environ["AWS_LAMBDA_RUNTIME_API"]
_BASE = "/2018-06-01/runtime"
_request_id = ""


class _Client:
    """A keep-alive Runtime API client."""

    def __init__(self, addr):
        host, _, port = addr.rpartition(":")
        self.host, self.port = host, int(port)
        self.conn = None

    def call(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port)
            try:
                self.conn.request(method, _BASE + path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                data = resp.read()
                return resp.status, resp.headers, data
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def next(self):
        return self.call("GET", "/invocation/next")

    def respond(self, rid, body):
        return self.call("POST", "/invocation/%s/response" % rid, body, {"Content-Type": "application/json"})

    def error(self, rid, doc):
        return self.call("POST", "/invocation/%s/error" % rid, _dump(doc).encode(),
                         {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": doc["errorType"]})

    def init_error(self, doc):
        return self.call("POST", "/init/error", _dump(doc).encode(),
                         {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": doc["errorType"]})


def _decimal(o):
    if isinstance(o, decimal.Decimal):
        if o == o.to_integral_value():
            return int(o)
        return float(o)
    raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)


def _dump(obj):
    return json.dumps(obj, default=_decimal)


class _Fault(Exception):
    def __init__(self, etype, msg, trace=None):
        super().__init__(msg)
        self.etype, self.msg, self.trace = etype, msg, trace or []


def _doc(msg, etype, rid, trace):
    return {"errorMessage": msg, "errorType": etype, "requestId": rid, "stackTrace": trace}


def _user_trace(tb):
    """Formatted frames with the bootstrap's own leading frames dropped, as Lambda does."""
    frames = traceback.extract_tb(tb)
    while frames and os.path.abspath(frames[0].filename) == os.path.abspath(__file__):
        frames = frames[1:]
    return traceback.format_list(frames)


def _log_error(doc):
    lines = ["[ERROR] %s: %s" % (doc["errorType"], doc["errorMessage"]), "Traceback (most recent call last):"]
    lines += [t.rstrip("\n") for t in doc["stackTrace"]]
    msg = "\n".join(lines)
    sys.stdout.write(msg.replace("\n", "\r") + "\n")
    sys.stdout.flush()


def _fault_doc(exc, rid):
    return _doc(str(exc), type(exc).__name__, rid, _user_trace(exc.__traceback__))


def _load(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise _Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    if modname.split(".")[0] in sys.builtin_module_names:
        raise _Fault("Runtime.BuiltInModuleConflict", "Cannot use built-in module %s as a handler module" % modname)
    try:
        mod = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise _Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n        %s\n' % (e.filename, e.lineno, (e.text or "").strip())]
        raise _Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e), trace)
    fn = getattr(mod, fname, None)
    if fn is None:
        return _Fault("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))
    return fn


class _Identity:
    def __init__(self, d):
        self.cognito_identity_id = d.get("cognitoIdentityId")
        self.cognito_identity_pool_id = d.get("cognitoIdentityPoolId")


class _Client_:
    def __init__(self, d):
        self.installation_id = d.get("installation_id")
        self.app_title = d.get("app_title")
        self.app_version_name = d.get("app_version_name")
        self.app_version_code = d.get("app_version_code")
        self.app_package_name = d.get("app_package_name")


class _ClientContext:
    def __init__(self, d):
        self.client = _Client_(d["client"]) if d.get("client") else None
        self.custom = d.get("custom")
        self.env = d.get("env")


class LambdaContext:
    """The context object Lambda passes to Python handlers."""

    def __init__(self, rid, deadline_ms, arn, client_context, identity, tenant_id=None):
        self.aws_request_id = rid
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.tenant_id = tenant_id
        self._deadline_ms = deadline_ms
        self.identity = _Identity(json.loads(identity) if identity else {})
        self.client_context = _ClientContext(json.loads(client_context)) if client_context else None

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def __repr__(self):
        return "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s,memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s,client_context=%s,identity=%s])" % (
            self.aws_request_id, self.log_group_name, self.log_stream_name, self.function_name,
            self.memory_limit_in_mb, self.function_version, self.invoked_function_arn,
            self.client_context, self.identity)


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id
        return True


class _LambdaHandler(logging.Handler):
    """Writes each record as one line; newlines become CR so a record stays one event."""

    def emit(self, record):
        try:
            msg = self.format(record)
            sys.stdout.write(msg.replace("\n", "\r") + "\n")
            sys.stdout.flush()
        except Exception:
            self.handleError(record)


def _setup_logging():
    h = _LambdaHandler()
    fmt = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                            "%Y-%m-%dT%H:%M:%S")
    fmt.converter = time.gmtime
    h.setFormatter(fmt)
    h.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(h)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        root.setLevel(level.upper())


def main():
    global _request_id
    client = _Client(_API)
    _setup_logging()
    try:
        handler = _load(os.environ.get("_HANDLER", ""))
    except _Fault as f:
        doc = _doc(f.msg, f.etype, "", f.trace)
        _log_error(doc)
        client.init_error(doc)
        sys.exit(1)
    except Exception as e:
        doc = _fault_doc(e, "")
        _log_error(doc)
        client.init_error(doc)
        sys.exit(1)

    while True:
        status, headers, body = client.next()
        if status != 200:
            sys.exit(1)
        rid = headers.get("Lambda-Runtime-Aws-Request-Id", "")
        _request_id = rid
        trace = headers.get("Lambda-Runtime-Trace-Id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        elif "_X_AMZN_TRACE_ID" in os.environ:
            del os.environ["_X_AMZN_TRACE_ID"]
        try:
            deadline = int(headers.get("Lambda-Runtime-Deadline-Ms", "0"))
            ctx = LambdaContext(rid, deadline, headers.get("Lambda-Runtime-Invoked-Function-Arn"),
                                headers.get("Lambda-Runtime-Client-Context"),
                                headers.get("Lambda-Runtime-Cognito-Identity"),
                                headers.get("Lambda-Runtime-Aws-Tenant-Id"))
        except Exception as e:
            doc = _doc("Unable to parse Client Context JSON: %s" % e, "Runtime.LambdaContextUnmarshalError", rid, [])
            _log_error(doc)
            client.error(rid, doc)
            continue
        try:
            event = json.loads(body)
        except Exception as e:
            doc = _doc("Unable to unmarshal input: %s" % e, "Runtime.UnmarshalError", rid, [])
            _log_error(doc)
            client.error(rid, doc)
            continue
        try:
            if isinstance(handler, _Fault):
                raise handler
            result = handler(event, ctx)
        except _Fault as f:
            doc = _doc(f.msg, f.etype, rid, f.trace)
            _log_error(doc)
            client.error(rid, doc)
            continue
        except Exception as e:
            doc = _fault_doc(e, rid)
            _log_error(doc)
            client.error(rid, doc)
            continue
        try:
            out = _dump(result).encode()
        except Exception as e:
            doc = _doc("Unable to marshal response: %s" % e, "Runtime.MarshalError", rid, [])
            _log_error(doc)
            client.error(rid, doc)
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        client.respond(rid, out)


if __name__ == "__main__":
    main()
