"""Echoes the proxy event back; the last path part picks other behaviours."""
import base64
import json
import time


def handler(event, context):
    v2 = event.get("version") == "2.0"
    path = event["rawPath"] if v2 else event["path"]
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if last == "sleep":
        time.sleep(1.5)
    if last == "boom":
        raise ValueError("boom")
    if last == "bad":
        return {"statusCode": "abc"}
    if last == "bare":
        return {"hello": "world"}
    if last == "bin":
        return {"statusCode": 200, "headers": {"content-type": "image/png"},
                "body": base64.b64encode(b"\x89PNG\r\n\x1a\n\x00\xff").decode(), "isBase64Encoded": True}
    resp = {"statusCode": 201 if last == "created" else 200,
            "headers": {"content-type": "application/json", "x-fmt": "v2" if v2 else "v1"},
            "body": json.dumps(event)}
    if v2:
        resp["cookies"] = ["s=1; Path=/", "t=2"]
    else:
        resp["multiValueHeaders"] = {"set-cookie": ["s=1; Path=/", "t=2"]}
    return resp
