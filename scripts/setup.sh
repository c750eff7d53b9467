#!/usr/bin/env bash
# Installs what tenkai's tests need on a fresh machine, skipping what is there:
# Go (go.mod's version via the toolchain mechanism), the aws CLI, Python 3 with
# boto3, and Node.js.
set -euo pipefail

need_apt=()
command -v go >/dev/null || { [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"; } || true
command -v go >/dev/null || need_apt+=(golang-go)
command -v python3 >/dev/null || need_apt+=(python3)
command -v node >/dev/null || need_apt+=(nodejs npm)
command -v aws >/dev/null || need_apt+=(awscli)
command -v unzip >/dev/null || need_apt+=(unzip)
command -v zip >/dev/null || need_apt+=(zip)
if ! python3 -c 'import boto3' 2>/dev/null; then need_apt+=(python3-boto3); fi
# Debian's boto3 predates SQS's move to awsJson: the SQS e2e tests use it to check awsQuery.
[ -d /usr/lib/python3/dist-packages/boto3 ] || need_apt+=(python3-boto3)
# Seed 002's layer copies FastAPI and its pure-Python dependencies from Debian's packages.
[ -d /usr/lib/python3/dist-packages/fastapi ] || need_apt+=(python3-fastapi)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
# The Lambda Node.js runtimes ship the AWS SDK for JavaScript v3; tenkai puts
# this directory on NODE_PATH for Node.js functions (tenkai serve --node-sdk-dir).
node_sdk="${XDG_CACHE_HOME:-$HOME/.cache}/tenkai/node-sdk"
node_clients="@aws-sdk/client-codepipeline @aws-sdk/client-lambda @aws-sdk/client-s3 @aws-sdk/client-dynamodb @aws-sdk/lib-dynamodb @aws-sdk/client-eventbridge @aws-sdk/client-sfn @aws-sdk/client-codedeploy @aws-sdk/client-cloudwatch-logs @aws-sdk/client-sts"
missing_node=0
for c in $node_clients; do [ -d "$node_sdk/node_modules/$c" ] || missing_node=1; done
if [ "$missing_node" = 1 ]; then
  echo "setup: installing the AWS SDK for JavaScript v3 into $node_sdk"
  mkdir -p "$node_sdk"
  (cd "$node_sdk" && npm install --no-audit --no-fund --silent $node_clients)
fi

go version
aws --version 2>&1 | head -1
