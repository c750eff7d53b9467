#!/usr/bin/env bash
# Seed flow 002: a FastAPI app behind an HTTP API answers 500 because the
# Lambda layer with its dependencies is not attached (the function's log says
# "No module named 'mangum'"); publishing the layer and attaching it with
# update-function-configuration fixes the health check and the messages API.
# The app and the ASGI adapter (a Mangum-compatible mangum.py) live in
# test/e2e/testdata/seed002; FastAPI and its pure-Python dependencies come
# from Debian's python3-fastapi (scripts/setup.sh installs it). Run it against
# a running tenkai: TENKAI_ENDPOINT defaults to http://127.0.0.1:4566.
set -euo pipefail
cd "$(dirname "$0")"
. ../lib.sh

src=../../test/e2e/testdata/seed002
dist=/usr/lib/python3/dist-packages
fn=multicloud-auto-deploy-staging-api
layer=multicloud-auto-deploy-staging-dependencies
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# call METHOD PATH [BODY] prints the status of a request to the API and keeps
# its body in $work/body. It uses the path form of the invoke URL,
# for clients that cannot set the Host header.
call() {
  local method=$1 path=$2 body=${3:-}
  if [ -n "$body" ]; then
    curl -s -o "$work/body" -w '%{http_code}' -X "$method" -H 'Content-Type: application/json' --data "$body" "$ENDPOINT/_aws/execute-api/$api$path"
  else
    curl -s -o "$work/body" -w '%{http_code}' -X "$method" "$ENDPOINT/_aws/execute-api/$api$path"
  fi
}

step "deploy the function without its layer, behind an HTTP API"
mkdir -p "$work/app" && cp "$src/app/main.py" "$work/app/"
zipdir "$work/api.zip" "$work/app"
awsl lambda delete-function --function-name "$fn" >/dev/null 2>&1 || true
fn_arn=$(awsl lambda create-function --function-name "$fn" --runtime python3.11 --handler main.handler \
  --role "arn:aws:iam::$ACCOUNT:role/lambda-role" --zip-file "fileb://$work/api.zip" --timeout 30 --memory-size 512 \
  --query FunctionArn --output text)
api=$(awsl apigatewayv2 create-api --name multicloud-auto-deploy-staging --protocol-type HTTP --target "$fn_arn" \
  --query ApiId --output text)
awsl lambda add-permission --function-name "$fn" --statement-id apigw --action lambda:InvokeFunction \
  --principal apigateway.amazonaws.com --source-arn "arn:aws:execute-api:$REGION:$ACCOUNT:$api/*/*" >/dev/null
ok "API $api → $fn (also at http://$api.execute-api.localhost:${ENDPOINT##*:}/)"

step "the health check fails: the layer is missing"
status=$(call GET /)
[ "$status" = 500 ] || fail "GET / = $status; want 500"
wait_log "/aws/lambda/$fn" "Unable to import module 'main': No module named 'mangum'"
ok "GET / = 500 {\"message\":\"Internal Server Error\"}; the function's log says No module named 'mangum'"

step "build the layer (python/: mangum.py + FastAPI from Debian's python3-fastapi) and publish it"
for p in fastapi starlette pydantic anyio sniffio idna typing_extensions.py; do
  [ -e "$dist/$p" ] || fail "$dist/$p is missing: apt-get install -y python3-fastapi (scripts/setup.sh)"
done
mkdir -p "$work/layer/python"
cp "$src/layer/python/mangum.py" "$work/layer/python/"
for p in fastapi starlette pydantic anyio sniffio idna typing_extensions.py; do cp -r "$dist/$p" "$work/layer/python/"; done
find "$work/layer" -name __pycache__ -prune -exec rm -rf {} +
zipdir "$work/lambda-layer.zip" "$work/layer"
layer_arn=$(awsl lambda publish-layer-version --layer-name "$layer" --description "FastAPI + Mangum" \
  --zip-file "fileb://$work/lambda-layer.zip" --compatible-runtimes python3.11 --query LayerVersionArn --output text)
awsl lambda update-function-configuration --function-name "$fn" --layers "$layer_arn" >/dev/null
awsl lambda wait function-updated --function-name "$fn"
ok "attached $layer_arn"

step "the API works"
status=$(call GET /)
[ "$status" = 200 ] && grep -q '"status":"ok","provider":"aws","version":"3.0.0"' "$work/body" || fail "GET / = $status $(cat "$work/body")"
ok "GET / = 200 $(cat "$work/body")"
status=$(call POST /api/messages/ '{"content":"Lambda Layer修復テスト","author":"System"}')
[ "$status" = 201 ] || fail "POST /api/messages/ = $status $(cat "$work/body")"
ok "POST /api/messages/ = 201"
status=$(call GET /api/messages/)
[ "$status" = 200 ] && grep -q 'Lambda Layer修復テスト' "$work/body" || fail "GET /api/messages/ = $status $(cat "$work/body")"
ok "GET /api/messages/ = 200 with the new message"

echo
echo "seed 002 proved: a missing layer gives 500 with the import error in the function's log; publishing and attaching it fixes the API"
