#!/usr/bin/env bash
# Seed flow 003: an ECS blue/green deployment calls an AfterAllowTestTraffic
# hook function that stores the deployment's ids in DynamoDB and posts a Slack
# Block Kit message; the deployment waits until someone approves with
# put-lifecycle-event-hook-execution-status. A Failed status rolls back; a
# missing environment variable makes the hook fail. Slack is tenkai's webhook
# sink. Run it against a running tenkai (TENKAI_ENDPOINT, default
# http://127.0.0.1:4566).
set -euo pipefail
cd "$(dirname "$0")"
. ../lib.sh

fn=after-allow-test-traffic
table=after-allow-test-traffic
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
webhook="$ENDPOINT/_tenkai/webhooks/slack-$$"
hooks_api="$ENDPOINT/_tenkai/api/webhooks/slack-$$"

step "the DynamoDB table and the hook function (Python, the seed's lamda.py)"
awsl dynamodb delete-table --table-name "$table" >/dev/null 2>&1 || true
awsl dynamodb create-table --table-name "$table" --attribute-definitions AttributeName=deployment_id,AttributeType=S \
  --key-schema AttributeName=deployment_id,KeyType=HASH --billing-mode PAY_PER_REQUEST >/dev/null
awsl dynamodb wait table-exists --table-name "$table"
mkdir -p "$work/pkg" && cp function/lamda.py "$work/pkg/"
zipdir "$work/function.zip" "$work/pkg"
awsl lambda delete-function --function-name "$fn" >/dev/null 2>&1 || true
awsl lambda create-function --function-name "$fn" --runtime python3.12 --handler lamda.lambda_handler \
  --role "arn:aws:iam::$ACCOUNT:role/after-allow-test-traffic" --zip-file "fileb://$work/function.zip" --timeout 30 \
  --environment "Variables={SLACK_WEBHOOK_URL=$webhook,TEST_URL=https://green.example.com/health,DYNAMODB_TABLE_NAME=$table}" >/dev/null
awsl lambda wait function-active-v2 --function-name "$fn"
ok "table $table, function $fn (Slack webhook: $webhook)"

step "a CodeDeploy ECS application and blue/green deployment group with auto rollback"
awsl deploy delete-application --application-name web >/dev/null 2>&1 || true
awsl deploy create-application --application-name web --compute-platform ECS >/dev/null
awsl deploy create-deployment-group --application-name web --deployment-group-name web-bg \
  --service-role-arn "arn:aws:iam::$ACCOUNT:role/codedeploy" --deployment-config-name CodeDeployDefault.ECSAllAtOnce \
  --deployment-style deploymentType=BLUE_GREEN,deploymentOption=WITH_TRAFFIC_CONTROL \
  --blue-green-deployment-configuration '{"terminateBlueInstancesOnDeploymentSuccess":{"action":"TERMINATE","terminationWaitTimeInMinutes":0},"deploymentReadyOption":{"actionOnTimeout":"CONTINUE_DEPLOYMENT","waitTimeInMinutes":0}}' \
  --auto-rollback-configuration enabled=true,events=DEPLOYMENT_FAILURE \
  --ecs-services serviceName=web,clusterName=prod \
  --load-balancer-info "{\"targetGroupPairInfoList\":[{\"targetGroups\":[{\"name\":\"web-blue\"},{\"name\":\"web-green\"}],\"prodTrafficRoute\":{\"listenerArns\":[\"arn:aws:elasticloadbalancing:$REGION:$ACCOUNT:listener/app/web/1/80\"]},\"testTrafficRoute\":{\"listenerArns\":[\"arn:aws:elasticloadbalancing:$REGION:$ACCOUNT:listener/app/web/1/8080\"]}}]}" >/dev/null
cat > "$work/appspec.yaml" <<YAML
version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: "arn:aws:ecs:$REGION:$ACCOUNT:task-definition/web:7"
        LoadBalancerInfo:
          ContainerName: "web"
          ContainerPort: 80
Hooks:
  - AfterAllowTestTraffic: "$fn"
YAML
revision=$(python3 -c 'import json,sys; print(json.dumps({"revisionType":"AppSpecContent","appSpecContent":{"content":open(sys.argv[1]).read()}}))' "$work/appspec.yaml")
ok "application web, deployment group web-bg"

step "1. deploy: the hook stores the ids, posts to Slack, and the deployment waits for approval"
id=$(awsl deploy create-deployment --application-name web --deployment-group-name web-bg --revision "$revision" --query deploymentId --output text)
msgs=$(http_get "$hooks_api?wait=60s")
echo "$msgs" | grep -q "$id" || fail "no Slack message naming $id: $msgs"
hook_id=$(awsl dynamodb get-item --table-name "$table" --key "{\"deployment_id\":{\"S\":\"$id\"}}" --query Item.hook_execution_id.S --output text)
[ -n "$hook_id" ] && [ "$hook_id" != None ] || fail "no hook execution id stored for $id"
status=$(awsl deploy get-deployment --deployment-id "$id" --query deploymentInfo.status --output text)
[ "$status" = InProgress ] || fail "deployment is $status while the hook waits; want InProgress"
ok "deployment $id waits; DynamoDB holds hook execution id $hook_id; Slack got:"
python3 -c 'import json,sys; [print("      | " + l) for r in json.load(sys.stdin)["webhooks"] for l in r["text"].splitlines()]' <<<"$msgs"

step "approve with the stored ids, as the Slack message says"
awsl deploy put-lifecycle-event-hook-execution-status --deployment-id "$id" \
  --lifecycle-event-hook-execution-id "$hook_id" --status Succeeded >/dev/null
wait_deployment "$id" Succeeded
ok "deployment $id Succeeded after approval"

step "2. deploy again and report Failed: the deployment fails and rolls back"
id2=$(awsl deploy create-deployment --application-name web --deployment-group-name web-bg --revision "$revision" --query deploymentId --output text)
for _ in $(seq 1 150); do
  hook2=$(awsl dynamodb get-item --table-name "$table" --key "{\"deployment_id\":{\"S\":\"$id2\"}}" --query Item.hook_execution_id.S --output text)
  [ -n "$hook2" ] && [ "$hook2" != None ] && break
  sleep 0.2
done
awsl deploy put-lifecycle-event-hook-execution-status --deployment-id "$id2" \
  --lifecycle-event-hook-execution-id "$hook2" --status Failed >/dev/null
wait_deployment "$id2" Failed
rollback=$(awsl deploy get-deployment --deployment-id "$id2" --query deploymentInfo.rollbackInfo.rollbackDeploymentId --output text)
[ -n "$rollback" ] && [ "$rollback" != None ] || fail "no rollback deployment for $id2"
ok "deployment $id2 Failed and rolled back with deployment $rollback"

step "3. without SLACK_WEBHOOK_URL the hook raises and the deployment fails"
awsl lambda update-function-configuration --function-name "$fn" \
  --environment "Variables={TEST_URL=https://green.example.com/health,DYNAMODB_TABLE_NAME=$table}" >/dev/null
awsl lambda wait function-updated-v2 --function-name "$fn"
id3=$(awsl deploy create-deployment --application-name web --deployment-group-name web-bg --revision "$revision" --query deploymentId --output text)
wait_deployment "$id3" Failed
wait_log "/aws/lambda/$fn" "Missing environment variables"
ok "deployment $id3 Failed; the function's log says: Missing environment variables"

echo
echo "seed 003 proved: AfterAllowTestTraffic hook → DynamoDB + Slack → approval from the CLI → Succeeded; Failed → rollback; missing env → Failed"
