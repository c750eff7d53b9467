#!/usr/bin/env bash
# Seed flow 000: a pipeline's Test stage invokes an already deployed Lambda
# function (LambdaInvokeAction); the function reads the job id from
# event['CodePipeline.job'].id and reports with PutJobSuccessResult or
# PutJobFailureResult; an EventBridge rule records the pipeline's state
# changes in CloudWatch Logs. Run it against a running tenkai:
# TENKAI_ENDPOINT defaults to http://127.0.0.1:4566.
set -euo pipefail
cd "$(dirname "$0")"
. ../lib.sh

fn=myTestLambda
pipeline=MyPipeline
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# wait_pipeline ID STATUS waits up to 30 s for a pipeline execution.
wait_pipeline() {
  local id=$1 want=$2 got=""
  for _ in $(seq 1 150); do
    got=$(awsl codepipeline get-pipeline-execution --pipeline-name "$pipeline" --pipeline-execution-id "$id" \
      --query pipelineExecution.status --output text)
    [ "$got" = "$want" ] && return 0
    case "$got" in Succeeded|Failed|Stopped|Superseded|Cancelled) break ;; esac
    sleep 0.2
  done
  fail "execution $id is $got; want $want"
}

step "deploy the integration-test function (Node.js 20, AWS SDK v3)"
zipdir "$work/function.zip" function
awsl lambda delete-function --function-name "$fn" >/dev/null 2>&1 || true
awsl lambda create-function --function-name "$fn" --runtime nodejs20.x --handler index.handler \
  --role "arn:aws:iam::$ACCOUNT:role/lambda-role" --zip-file "fileb://$work/function.zip" >/dev/null
awsl lambda wait function-active-v2 --function-name "$fn"
ok "created $fn"

step "source and artifact buckets"
awsl s3api create-bucket --bucket seed000-source >/dev/null
awsl s3api put-bucket-versioning --bucket seed000-source --versioning-configuration Status=Enabled
awsl s3api create-bucket --bucket seed000-artifacts >/dev/null
mkdir -p "$work/app" && echo '<h1>v1</h1>' > "$work/app/index.html"
zipdir "$work/app.zip" "$work/app"
awsl s3api put-object --bucket seed000-source --key app.zip --body "$work/app.zip" >/dev/null
ok "seed000-source/app.zip (versioned) and seed000-artifacts"

step "an EventBridge rule logs the pipeline's state changes"
awsl logs create-log-group --log-group-name /seed000/pipeline 2>/dev/null || true
awsl events put-rule --name seed000-pipeline --event-pattern \
  '{"source":["aws.codepipeline"],"detail-type":["CodePipeline Pipeline Execution State Change"]}' >/dev/null
awsl events put-targets --rule seed000-pipeline \
  --targets "Id=logs,Arn=arn:aws:logs:$REGION:$ACCOUNT:log-group:/seed000/pipeline" >/dev/null
ok "rule seed000-pipeline → /seed000/pipeline"

pipeline_json() {
  cat <<JSON
{"name": "$pipeline", "roleArn": "arn:aws:iam::$ACCOUNT:role/codepipeline-role",
 "artifactStore": {"type": "S3", "location": "seed000-artifacts"},
 "stages": [
  {"name": "Source", "actions": [{"name": "Source",
    "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
    "configuration": {"S3Bucket": "seed000-source", "S3ObjectKey": "app.zip", "PollForSourceChanges": "false"},
    "outputArtifacts": [{"name": "SourceOutput"}]}]},
  {"name": "Test", "actions": [{"name": "InvokeTestLambda",
    "actionTypeId": {"category": "Invoke", "owner": "AWS", "provider": "Lambda", "version": "1"},
    "configuration": {"FunctionName": "$fn", "UserParameters": "$1"},
    "inputArtifacts": [{"name": "SourceOutput"}]}]}]}
JSON
}

step "create the pipeline: it runs once, and the function reports success"
awsl codepipeline delete-pipeline --name "$pipeline" >/dev/null 2>&1 || true
pipeline_json run > "$work/pipeline.json"
awsl codepipeline create-pipeline --pipeline "file://$work/pipeline.json" >/dev/null
id=""
for _ in $(seq 1 50); do
  id=$(awsl codepipeline list-pipeline-executions --pipeline-name "$pipeline" \
    --query 'pipelineExecutionSummaries[0].pipelineExecutionId' --output text)
  [ -n "$id" ] && [ "$id" != None ] && break
  sleep 0.1
done
wait_pipeline "$id" Succeeded
job=$(awsl codepipeline list-action-executions --pipeline-name "$pipeline" --filter "pipelineExecutionId=$id" \
  --query 'actionExecutionDetails[?actionName==`InvokeTestLambda`].status' --output text)
[ "$job" = Succeeded ] || fail "InvokeTestLambda is $job"
wait_log "/aws/lambda/$fn" "Job ID: "
wait_log "/aws/lambda/$fn" "Job succeeded:"
ok "execution $id Succeeded; the function logged the job id it got from event['CodePipeline.job'].id"

step "the same function failing: PutJobFailureResult fails the stage with its message"
pipeline_json fail > "$work/pipeline.json"
awsl codepipeline update-pipeline --pipeline "file://$work/pipeline.json" >/dev/null
id2=$(awsl codepipeline start-pipeline-execution --name "$pipeline" --query pipelineExecutionId --output text)
wait_pipeline "$id2" Failed
msg=$(awsl codepipeline get-pipeline-state --name "$pipeline" \
  --query 'stageStates[?stageName==`Test`].actionStates[0].latestExecution.errorDetails.message' --output text)
[ "$msg" = "integration tests failed" ] || fail "the Test action's error is \"$msg\""
ok "execution $id2 Failed: $msg"

step "EventBridge delivered the pipeline's state changes"
wait_log /seed000/pipeline "\"execution-id\":\"$id\""
wait_log /seed000/pipeline '"state":"SUCCEEDED"'
wait_log /seed000/pipeline '"state":"FAILED"'
ok "STARTED, SUCCEEDED and FAILED events reached /seed000/pipeline"

printf '\nseed 000 proved: a deployed function gets the job id from the pipeline and reports back\n'
