import json
import logging
import os
import urllib.request

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def lambda_handler(event, context):
    logger.info("Received event: %s", json.dumps(event))

    slack_webhook_url = os.environ.get("SLACK_WEBHOOK_URL")
    test_url = os.environ.get("TEST_URL")
    table_name = os.environ.get("DYNAMODB_TABLE_NAME")
    if not slack_webhook_url or not test_url or not table_name:
        logger.error("Missing environment variables: SLACK_WEBHOOK_URL, TEST_URL and DYNAMODB_TABLE_NAME are required")
        raise Exception("Missing required environment variables")

    try:
        deployment_id = event["DeploymentId"]
        hook_execution_id = event["LifecycleEventHookExecutionId"]
    except KeyError as e:
        logger.error("Missing key in event: %s", e)
        raise

    try:
        table = boto3.resource("dynamodb").Table(table_name)
        table.put_item(Item={"deployment_id": deployment_id, "hook_execution_id": hook_execution_id})
        logger.info("Saved deployment %s to DynamoDB", deployment_id)
    except Exception as e:
        logger.error("DynamoDB put_item failed: %s", e)
        raise

    command = ("aws deploy put-lifecycle-event-hook-execution-status "
               f"--deployment-id {deployment_id} "
               f"--lifecycle-event-hook-execution-id {hook_execution_id} --status Succeeded")
    message = {
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "✅ ECS 배포: 테스트 대기 중", "emoji": True}},
            {"type": "section", "text": {"type": "mrkdwn",
                "text": f"*Deployment ID:* {deployment_id}\n*Test URL:* <{test_url}|{test_url}>"}},
            {"type": "section", "text": {"type": "mrkdwn",
                "text": f"테스트 완료 후 승인 명령을 실행하세요:\n```{command}```"}},
            {"type": "image", "image_url": "https://raw.githubusercontent.com/example/assets/main/deploy-done.gif", "alt_text": "deploy"},
        ]
    }
    try:
        req = urllib.request.Request(slack_webhook_url, data=json.dumps(message).encode("utf-8"),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req) as resp:
            body = resp.read().decode("utf-8")
            if resp.status != 200:
                raise Exception(f"Slack returned {resp.status}: {body}")
            logger.info("Slack response: %s", body)
    except Exception as e:
        logger.error("Slack webhook failed: %s", e)
        raise

    return {"statusCode": 200, "body": json.dumps({"deployment_id": deployment_id})}
