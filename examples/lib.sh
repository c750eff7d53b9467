# Shared helpers of the example scripts: the aws CLI pointed at tenkai, and
# small checks that print what each step proved.
ENDPOINT=${TENKAI_ENDPOINT:-${AWS_ENDPOINT_URL:-http://127.0.0.1:4566}}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
export AWS_PAGER=""
REGION=$AWS_DEFAULT_REGION
ACCOUNT=${ACCOUNT:-000000000000}

# awsl runs the aws CLI (v1 or v2) against tenkai.
awsl() { aws --endpoint-url "$ENDPOINT" "$@"; }

step() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
fail() { printf '   FAILED: %s\n' "$*" >&2; exit 1; }

# zipdir OUT DIR zips the contents of DIR (paths relative to DIR, modes kept),
# with python3's zipfile so zip(1) is not needed.
zipdir() {
  python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
out, top = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for root, _, names in os.walk(top):
        for n in sorted(names):
            p = os.path.join(root, n)
            z.write(p, os.path.relpath(p, top))
PY
}

# jsonget FILE KEY prints a top-level member of a JSON file.
jsonget() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print(v if isinstance(v,str) else json.dumps(v))' "$1" "$2"; }

# wait_log GROUP TEXT waits up to 20 s for TEXT in a log group.
wait_log() {
  local group=$1 text=$2
  for _ in $(seq 1 100); do
    if awsl logs filter-log-events --log-group-name "$group" --query 'events[].message' --output text 2>/dev/null | grep -qF -- "$text"; then
      return 0
    fi
    sleep 0.2
  done
  fail "no \"$text\" in $group after 20 s"
}

# wait_execution ARN STATUS waits up to 30 s for a Step Functions execution.
wait_execution() {
  local arn=$1 want=$2 got=""
  for _ in $(seq 1 150); do
    got=$(awsl stepfunctions describe-execution --execution-arn "$arn" --query status --output text)
    [ "$got" = "$want" ] && return 0
    case "$got" in SUCCEEDED|FAILED|TIMED_OUT|ABORTED) break ;; esac
    sleep 0.2
  done
  fail "execution $arn is $got; want $want"
}

# http_get URL prints the body of a GET (python3, so curl is not needed).
http_get() { python3 -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=120).read().decode())' "$1"; }

# wait_deployment ID STATUS waits up to 60 s for a CodeDeploy deployment's status
# (faster than `aws deploy wait`, which polls every 15 s).
wait_deployment() {
  local id=$1 want=$2 got=""
  for _ in $(seq 1 300); do
    got=$(awsl deploy get-deployment --deployment-id "$id" --query deploymentInfo.status --output text)
    [ "$got" = "$want" ] && return 0
    case "$got" in Succeeded|Failed|Stopped) break ;; esac
    sleep 0.2
  done
  fail "deployment $id is $got; want $want"
}
