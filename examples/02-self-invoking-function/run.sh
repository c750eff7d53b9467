#!/usr/bin/env bash
# Seed flow 001: a Lambda function runs itself again while a condition holds,
# (1) through the SDK's Invoke with LogType Tail, (2) through EventBridge
# PutEvents + a rule + add-permission + a target, (3) through a Step Functions
# loop. Run it against a running tenkai: TENKAI_ENDPOINT defaults to
# http://127.0.0.1:4566.
set -euo pipefail
cd "$(dirname "$0")"
. ../lib.sh

fn=self-invoker
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step "build the Go function (provided.al2023)"
CGO_ENABLED=0 go build -ldflags "-s -w" -o "$work/pkg/bootstrap" ./function
zipdir "$work/function.zip" "$work/pkg"
awsl lambda delete-function --function-name "$fn" >/dev/null 2>&1 || true
awsl lambda create-function --function-name "$fn" --runtime provided.al2023 --handler bootstrap \
  --role "arn:aws:iam::$ACCOUNT:role/lambda-role" --zip-file "fileb://$work/function.zip" >/dev/null
awsl lambda wait function-active-v2 --function-name "$fn"
ok "created $fn"

step "1. the function invokes itself through the SDK until i reaches n"
printf '{"i":0,"n":3,"via":"sdk"}' > "$work/payload.json"
tail64=$(awsl lambda invoke --function-name "$fn" --payload "fileb://$work/payload.json" --log-type Tail \
  --query LogResult --output text "$work/out.json")
echo "$tail64" | base64 -d | grep -q "run i=0 n=3 via=sdk" || fail "the outer log tail lacks run i=0"
jsonget "$work/out.json" tail | grep -q "run i=1 n=3 via=sdk" || fail "the nested invocation's log tail lacks run i=1"
for i in 0 1 2; do wait_log "/aws/lambda/$fn" "run i=$i n=3 via=sdk"; done
ok "ran 3 times through lambda:Invoke; each call returned the next one's log tail (LogType Tail)"

step "2. the function puts an event that a rule routes back to it"
rule_arn=$(awsl events put-rule --name MyEventRule --state ENABLED \
  --event-pattern '{"source": ["my.event.source"], "detail-type": ["MyEvent"]}' --query RuleArn --output text)
awsl lambda add-permission --function-name "$fn" --statement-id MyEventRulePermission --action lambda:InvokeFunction \
  --principal events.amazonaws.com --source-arn "$rule_arn" >/dev/null
awsl events put-targets --rule MyEventRule --targets "Id=1,Arn=arn:aws:lambda:$REGION:$ACCOUNT:function:$fn" >/dev/null
awsl events put-events --entries '[{"Source":"my.event.source","DetailType":"MyEvent","Detail":"{\"i\":0,\"n\":3}","EventBusName":"default"}]' >/dev/null
for i in 0 1 2; do wait_log "/aws/lambda/$fn" "run i=$i n=3 via=eventbridge"; done
ok "ran 3 times through EventBridge (put-rule, add-permission, put-targets, PutEvents from Go)"

step "3. a Step Functions loop runs the function while its result says continue"
cat > "$work/loop.asl.json" <<JSON
{
  "Comment": "Run the function again while it answers continue",
  "StartAt": "Run",
  "States": {
    "Run": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "$fn", "Payload": {"i.$": "$.i", "n.$": "$.n", "via": "stepfunctions"}},
      "ResultSelector": {"i.$": "$.Payload.i", "n.$": "$.Payload.n", "continue.$": "$.Payload.continue"},
      "Next": "Again?"
    },
    "Again?": {
      "Type": "Choice",
      "Choices": [{"Variable": "$.continue", "BooleanEquals": true, "Next": "Next i"}],
      "Default": "Done"
    },
    "Next i": {
      "Type": "Pass",
      "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"},
      "Next": "Run"
    },
    "Done": {"Type": "Succeed"}
  }
}
JSON
awsl stepfunctions delete-state-machine --state-machine-arn "arn:aws:states:$REGION:$ACCOUNT:stateMachine:self-loop" >/dev/null 2>&1 || true
sm=$(awsl stepfunctions create-state-machine --name self-loop --definition "file://$work/loop.asl.json" \
  --role-arn "arn:aws:iam::$ACCOUNT:role/sfn-role" --query stateMachineArn --output text)
exec_arn=$(awsl stepfunctions start-execution --state-machine-arn "$sm" --input '{"i":0,"n":3}' --query executionArn --output text)
wait_execution "$exec_arn" SUCCEEDED
for i in 0 1 2; do wait_log "/aws/lambda/$fn" "run i=$i n=3 via=stepfunctions"; done
runs=$(awsl stepfunctions get-execution-history --execution-arn "$exec_arn" \
  --query "length(events[?type=='TaskSucceeded'])" --output text)
[ "$runs" = 3 ] || fail "want 3 TaskSucceeded events in the history, got $runs"
ok "ran 3 times from a Step Functions loop (Task → Choice → Pass → Task), execution SUCCEEDED"

echo
echo "seed 001 proved: a function re-runs itself while a condition holds, through the SDK, EventBridge and Step Functions"
