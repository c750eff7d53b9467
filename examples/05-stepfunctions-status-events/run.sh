#!/usr/bin/env bash
# Seed flow 004: Step Functions execution status changes reach a Lambda
# function through an EventBridge (CloudWatch Events) rule, and the function's
# print shows up in CloudWatch Logs. Run it against a running tenkai:
# TENKAI_ENDPOINT defaults to http://127.0.0.1:4566.
set -euo pipefail
cd "$(dirname "$0")"
. ../lib.sh

fn=print-sfn-events
sm_name=seed004
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step "IAM roles for Step Functions (AWSLambdaRole) and Lambda (AWSLambdaBasicExecutionRole)"
trust() { printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"%s"},"Action":"sts:AssumeRole"}]}' "$1"; }
awsl iam create-role --role-name seed004-sfn --assume-role-policy-document "$(trust states.amazonaws.com)" >/dev/null 2>&1 || true
awsl iam attach-role-policy --role-name seed004-sfn --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaRole
awsl iam create-role --role-name seed004-lambda --assume-role-policy-document "$(trust lambda.amazonaws.com)" >/dev/null 2>&1 || true
awsl iam attach-role-policy --role-name seed004-lambda --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
ok "roles seed004-sfn and seed004-lambda"

step "the state machine and the Lambda function that prints what it receives"
cat > "$work/sm.asl.json" <<'JSON'
{
  "StartAt": "Work",
  "States": {
    "Work": {"Type": "Pass", "Result": {"done": true}, "Next": "Check"},
    "Check": {
      "Type": "Choice",
      "Choices": [{"Variable": "$$.Execution.Input.fail", "BooleanEquals": true, "Next": "Fail"}],
      "Default": "Done"
    },
    "Fail": {"Type": "Fail", "Error": "Seed004.Failure", "Cause": "asked to fail"},
    "Done": {"Type": "Succeed"}
  }
}
JSON
awsl stepfunctions delete-state-machine --state-machine-arn "arn:aws:states:$REGION:$ACCOUNT:stateMachine:$sm_name" >/dev/null 2>&1 || true
sm=$(awsl stepfunctions create-state-machine --name "$sm_name" --definition "file://$work/sm.asl.json" \
  --role-arn "arn:aws:iam::$ACCOUNT:role/seed004-sfn" --query stateMachineArn --output text)
mkdir -p "$work/pkg" && cp function/lambda_function.py "$work/pkg/"
zipdir "$work/function.zip" "$work/pkg"
awsl lambda delete-function --function-name "$fn" >/dev/null 2>&1 || true
fn_arn=$(awsl lambda create-function --function-name "$fn" --runtime python3.12 --handler lambda_function.lambda_handler \
  --role "arn:aws:iam::$ACCOUNT:role/seed004-lambda" --zip-file "fileb://$work/function.zip" --query FunctionArn --output text)
awsl lambda wait function-active-v2 --function-name "$fn"
ok "$sm and $fn_arn"

step "a rule on Step Functions Execution Status Change events, targeting the function"
pattern=$(printf '{"source":["aws.states"],"detail-type":["Step Functions Execution Status Change"],"detail":{"status":["RUNNING","SUCCEEDED","FAILED","TIMED_OUT","ABORTED"],"stateMachineArn":["%s"]}}' "$sm")
rule_arn=$(awsl events put-rule --name seed004-status --event-pattern "$pattern" --state ENABLED --query RuleArn --output text)
awsl lambda add-permission --function-name "$fn" --statement-id seed004-events --action lambda:InvokeFunction \
  --principal events.amazonaws.com --source-arn "$rule_arn" >/dev/null
awsl events put-targets --rule seed004-status --targets "Id=print,Arn=$fn_arn" >/dev/null
ok "rule $rule_arn → $fn"

step "run the state machine: once to success, once to failure"
ok_exec=$(awsl stepfunctions start-execution --state-machine-arn "$sm" --name ok-run --input '{"fail":false}' --query executionArn --output text)
bad_exec=$(awsl stepfunctions start-execution --state-machine-arn "$sm" --name bad-run --input '{"fail":true}' --query executionArn --output text)
wait_execution "$ok_exec" SUCCEEDED
wait_execution "$bad_exec" FAILED
ok "ok-run SUCCEEDED, bad-run FAILED"

step "the function received every status change and printed it to CloudWatch Logs"
for status in RUNNING SUCCEEDED FAILED; do
  wait_log "/aws/lambda/$fn" "\"status\": \"$status\""
done
wait_log "/aws/lambda/$fn" "\"executionArn\": \"$ok_exec\""
wait_log "/aws/lambda/$fn" "\"executionArn\": \"$bad_exec\""
wait_log "/aws/lambda/$fn" '"detail-type": "Step Functions Execution Status Change"'
ok "Received event: lines for RUNNING, SUCCEEDED and FAILED in /aws/lambda/$fn"

echo
echo "seed 004 proved: execution status changes → EventBridge rule → Lambda → CloudWatch Logs"
