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

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
go version
aws --version 2>&1 | head -1
