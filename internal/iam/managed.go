package iam

import (
	"crypto/sha256"
	"sort"
	"strings"
	"time"
)

// awsPolicy is an AWS managed policy: global, read-only, attachable in every account.
type awsPolicy struct {
	Name, Path, Description, Document string
}

// Arn is the policy's ARN, arn:aws:iam::aws:policy/PATH/NAME.
func (p *awsPolicy) Arn() string { return "arn:aws:iam::aws:policy" + p.Path + p.Name }

// ID is a stable policy id: AWS's ids are fixed per policy, ours are derived
// from the name so they never change between runs.
func (p *awsPolicy) ID() string { return "ANPA" + hashID(p.Arn()) }

// awsPolicyDate is the CreateDate and UpdateDate shown for AWS managed policies.
var awsPolicyDate = time.Date(2015, 2, 6, 18, 40, 0, 0, time.UTC)

// allowAll builds a one-statement Allow document for the given actions.
func allowAll(actions ...string) string {
	var b strings.Builder
	b.WriteString(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":`)
	if len(actions) == 1 {
		b.WriteString(`"` + actions[0] + `"`)
	} else {
		b.WriteString("[")
		for i, a := range actions {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"` + a + `"`)
		}
		b.WriteString("]")
	}
	b.WriteString(`,"Resource":"*"}]}`)
	return b.String()
}

// awsPolicies is the built-in table of AWS managed policies, with their real
// paths. Documents are faithful for the small policies and condensed to their
// service-wide actions for the large ones.
var awsPolicies = func() map[string]*awsPolicy {
	list := []*awsPolicy{
		{"AdministratorAccess", "/", "Provides full access to AWS services and resources.", allowAll("*")},
		{"PowerUserAccess", "/", "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions","account:GetAccountInformation"],"Resource":"*"}]}`},
		{"ReadOnlyAccess", "/", "Provides read-only access to AWS services and resources.",
			allowAll("apigateway:GET", "codedeploy:Batch*", "codedeploy:Get*", "codedeploy:List*", "codepipeline:Get*", "codepipeline:List*", "dynamodb:BatchGet*", "dynamodb:Describe*", "dynamodb:Get*", "dynamodb:List*", "dynamodb:Query", "dynamodb:Scan", "events:Describe*", "events:List*", "events:Test*", "iam:Generate*", "iam:Get*", "iam:List*", "lambda:Get*", "lambda:List*", "logs:Describe*", "logs:Get*", "logs:FilterLogEvents", "logs:StartQuery", "logs:StopQuery", "logs:TestMetricFilter", "s3:Get*", "s3:List*", "states:Describe*", "states:Get*", "states:List*", "sts:GetCallerIdentity")},
		{"IAMFullAccess", "/", "Provides full access to IAM via the AWS Management Console.", allowAll("iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization", "organizations:DescribeOrganizationalUnit", "organizations:DescribePolicy", "organizations:ListChildren", "organizations:ListParents", "organizations:ListPoliciesForTarget", "organizations:ListRoots", "organizations:ListPolicies", "organizations:ListTargetsForPolicy")},
		{"IAMReadOnlyAccess", "/", "Provides read only access to IAM via the AWS Management Console.", allowAll("iam:GenerateCredentialReport", "iam:GenerateServiceLastAccessedDetails", "iam:Get*", "iam:List*", "iam:SimulateCustomPolicy", "iam:SimulatePrincipalPolicy")},
		{"AWSLambdaBasicExecutionRole", "/service-role/", "Provides write permissions to CloudWatch Logs.", allowAll("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")},
		{"AWSLambdaRole", "/service-role/", "Default policy for AWS Lambda service role.", allowAll("lambda:InvokeFunction")},
		{"AWSLambdaExecute", "/", "Provides Put, Get access to S3 and full access to CloudWatch Logs.",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:*"],"Resource":"arn:aws:logs:*:*:*"},{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::*"}]}`},
		{"AWSLambdaDynamoDBExecutionRole", "/service-role/", "Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.", allowAll("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")},
		{"AWSLambdaSQSQueueExecutionRole", "/service-role/", "Provides receive message, delete message, and read attribute access to SQS queues, and write permissions to CloudWatch logs.", allowAll("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")},
		{"AWSLambdaKinesisExecutionRole", "/service-role/", "Provides list and read access to Kinesis streams and write permissions to CloudWatch logs.", allowAll("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")},
		{"AWSLambdaVPCAccessExecutionRole", "/service-role/", "Provides minimum permissions for a Lambda function to execute while accessing a resource within a VPC - create, describe, delete network interfaces and write permissions to CloudWatch Logs.", allowAll("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses")},
		{"AWSLambda_FullAccess", "/", "Grants full access to AWS Lambda service, AWS Lambda console features, and other related AWS services.", allowAll("cloudformation:DescribeStacks", "cloudformation:ListStackResources", "cloudwatch:ListMetrics", "cloudwatch:GetMetricData", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "kms:ListAliases", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:ListRoles", "lambda:*", "logs:DescribeLogGroups", "states:DescribeStateMachine", "states:ListStateMachines", "tag:GetResources", "xray:GetTraceSummaries", "xray:BatchGetTraces")},
		{"AWSLambda_ReadOnlyAccess", "/", "Grants read-only access to AWS Lambda service, AWS Lambda console features, and other related AWS services.", allowAll("lambda:Get*", "lambda:List*", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:GetLogEvents", "states:DescribeStateMachine", "states:ListStateMachines")},
		{"AmazonDynamoDBFullAccess", "/", "Provides full access to Amazon DynamoDB via the AWS Management Console.", allowAll("dynamodb:*", "dax:*", "application-autoscaling:*", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData", "cloudwatch:PutMetricAlarm", "iam:GetRole", "iam:ListRoles", "kms:DescribeKey", "kms:ListAliases", "lambda:CreateFunction", "lambda:ListFunctions", "lambda:ListEventSourceMappings", "lambda:CreateEventSourceMapping", "lambda:DeleteEventSourceMapping", "lambda:GetFunctionConfiguration", "lambda:DeleteFunction", "resource-groups:*", "tag:GetResources")},
		{"AmazonDynamoDBReadOnlyAccess", "/", "Provides read only access to Amazon DynamoDB via the AWS Management Console.", allowAll("application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies", "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData", "dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:List*", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect", "iam:GetRole", "iam:ListRoles", "tag:GetResources")},
		{"AmazonS3FullAccess", "/", "Provides full access to all buckets via the AWS Management Console.", allowAll("s3:*", "s3-object-lambda:*")},
		{"AmazonS3ReadOnlyAccess", "/", "Provides read only access to all buckets via the AWS Management Console.", allowAll("s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*")},
		{"CloudWatchLogsFullAccess", "/", "Provides full access to CloudWatch Logs", allowAll("logs:*", "cloudwatch:GenerateQuery")},
		{"CloudWatchLogsReadOnlyAccess", "/", "Provides read only access to CloudWatch Logs", allowAll("logs:Describe*", "logs:Get*", "logs:List*", "logs:StartQuery", "logs:StopQuery", "logs:TestMetricFilter", "logs:FilterLogEvents", "logs:StartLiveTail", "logs:StopLiveTail", "cloudwatch:GenerateQuery")},
		{"CloudWatchFullAccess", "/", "Provides full access to CloudWatch.", allowAll("autoscaling:Describe*", "cloudwatch:*", "logs:*", "sns:*", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole", "oam:ListSinks")},
		{"AWSCodePipeline_FullAccess", "/", "Provides full access to AWS CodePipeline via the AWS Management Console.", allowAll("codepipeline:*", "cloudformation:DescribeStacks", "cloudformation:ListStacks", "cloudformation:ListChangeSets", "cloudtrail:DescribeTrails", "codebuild:BatchGetProjects", "codebuild:CreateProject", "codebuild:ListCuratedEnvironmentImages", "codebuild:ListProjects", "codecommit:ListBranches", "codecommit:GetReferences", "codecommit:ListRepositories", "codedeploy:BatchGetDeploymentGroups", "codedeploy:ListApplications", "codedeploy:ListDeploymentGroups", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "ecr:DescribeRepositories", "ecr:ListImages", "ecs:ListClusters", "ecs:ListServices", "elasticbeanstalk:DescribeApplications", "elasticbeanstalk:DescribeEnvironments", "iam:ListRoles", "iam:GetRole", "lambda:GetFunctionConfiguration", "lambda:ListFunctions", "opsworks:DescribeApps", "opsworks:DescribeLayers", "opsworks:DescribeStacks", "s3:ListAllMyBuckets", "sns:ListTopics", "codestar-notifications:ListNotificationRules", "codestar-notifications:ListTargets", "codestar-notifications:ListTagsforResource", "codestar-notifications:ListEventTypes", "states:ListStateMachines")},
		{"AWSCodePipeline_ReadOnlyAccess", "/", "Provides read only access to AWS CodePipeline via the AWS Management Console.", allowAll("codepipeline:GetPipeline", "codepipeline:GetPipelineExecution", "codepipeline:GetPipelineState", "codepipeline:ListActionExecutions", "codepipeline:ListActionTypes", "codepipeline:ListPipelineExecutions", "codepipeline:ListPipelines", "codepipeline:ListTagsForResource", "s3:ListAllMyBuckets", "codestar-notifications:ListNotificationRules", "codestar-notifications:ListEventTypes", "codestar-notifications:ListTargets")},
		{"AWSCodeDeployFullAccess", "/", "Provides full access to CodeDeploy resources.", allowAll("codedeploy:*")},
		{"AWSCodeDeployReadOnlyAccess", "/", "Provides read only access to CodeDeploy resources.", allowAll("codedeploy:Batch*", "codedeploy:Get*", "codedeploy:List*")},
		{"AWSCodeDeployRole", "/service-role/", "Provides CodeDeploy service access to expand tags and interact with Auto Scaling on your behalf.", allowAll("autoscaling:*", "ec2:Describe*", "ec2:TerminateInstances", "elasticloadbalancing:*", "sns:Publish", "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm", "tag:GetResources")},
		{"AWSCodeDeployRoleForECS", "/", "Provides CodeDeploy service wide access to perform an ECS blue/green deployment on your behalf. Grants full access to support services, such as full access to read all S3 objects, invoke all Lambda functions, publish to all SNS topics within the account and update all ECS services.", allowAll("ecs:DescribeServices", "ecs:CreateTaskSet", "ecs:UpdateServicePrimaryTaskSet", "ecs:DeleteTaskSet", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:ModifyRule", "lambda:InvokeFunction", "cloudwatch:DescribeAlarms", "sns:Publish", "s3:GetObject", "s3:GetObjectVersion")},
		{"AWSCodeDeployRoleForECSLimited", "/", "Provides CodeDeploy service limited access to perform an ECS blue/green deployment on your behalf.", allowAll("ecs:DescribeServices", "ecs:CreateTaskSet", "ecs:UpdateServicePrimaryTaskSet", "ecs:DeleteTaskSet", "cloudwatch:DescribeAlarms")},
		{"AWSCodeDeployRoleForLambda", "/service-role/", "Provides CodeDeploy service access to perform a Lambda deployment on your behalf.", allowAll("cloudwatch:DescribeAlarms", "lambda:UpdateAlias", "lambda:GetAlias", "lambda:GetProvisionedConcurrencyConfig", "sns:Publish", "s3:GetObject", "s3:GetObjectVersion", "lambda:InvokeFunction")},
		{"AWSCodeDeployRoleForLambdaLimited", "/service-role/", "Provides CodeDeploy service limited access to perform a Lambda deployment on your behalf.", allowAll("cloudwatch:DescribeAlarms", "lambda:UpdateAlias", "lambda:GetAlias", "lambda:GetProvisionedConcurrencyConfig", "sns:Publish")},
		{"AWSStepFunctionsFullAccess", "/", "An access policy for providing a user/role/etc access to the AWS StepFunctions API. For full access, in addition to this policy, a user MUST have iam:PassRole permission on at least one IAM role that can be assumed by the service.", allowAll("states:*")},
		{"AWSStepFunctionsReadOnlyAccess", "/", "An access policy for providing a user/role/etc read only access to the AWS StepFunctions service.", allowAll("states:ListStateMachines", "states:ListActivities", "states:DescribeStateMachine", "states:DescribeStateMachineForExecution", "states:ListExecutions", "states:DescribeExecution", "states:GetExecutionHistory", "states:DescribeActivity")},
		{"AWSStepFunctionsConsoleFullAccess", "/", "An access policy for providing a user access to the AWS Step Functions Console. For full console experience, in addition to this policy, a user may need iam:PassRole permission on other IAM roles that can be assumed by the service.", allowAll("states:*", "iam:ListRoles", "iam:CreateRole", "iam:CreatePolicy", "iam:AttachRolePolicy", "lambda:ListFunctions")},
		{"AWSLambdaInvocation-DynamoDB", "/", "Provides read access to DynamoDB Streams.", allowAll("lambda:InvokeFunction", "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams")},
		{"AmazonEventBridgeFullAccess", "/", "Provides full access to Amazon EventBridge.", allowAll("events:*", "schemas:*", "scheduler:*", "pipes:*")},
		{"AmazonEventBridgeReadOnlyAccess", "/", "Provides read only access to Amazon EventBridge.", allowAll("events:DescribeRule", "events:DescribeEventBus", "events:DescribeEventSource", "events:ListEventBuses", "events:ListEventSources", "events:ListRuleNamesByTarget", "events:ListRules", "events:ListTargetsByRule", "events:TestEventPattern", "events:DescribeArchive", "events:ListArchives", "events:DescribeReplay", "events:ListReplays", "events:DescribeConnection", "events:ListConnections", "events:DescribeApiDestination", "events:ListApiDestinations")},
		{"CloudWatchEventsFullAccess", "/", "Provides full access to Amazon CloudWatch Events.", allowAll("events:*")},
		{"AmazonAPIGatewayAdministrator", "/", "Provides full access to create/edit/delete APIs in Amazon API Gateway via the AWS Management Console.", allowAll("apigateway:*")},
		{"AmazonAPIGatewayInvokeFullAccess", "/", "Provides full access to invoke APIs in Amazon API Gateway.", allowAll("execute-api:Invoke", "execute-api:ManageConnections")},
		{"AmazonAPIGatewayPushToCloudWatchLogs", "/service-role/", "Allows API Gateway to push logs to user's account.", allowAll("logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents")},
		{"AmazonSQSFullAccess", "/", "Provides full access to Amazon SQS via the AWS Management Console.", allowAll("sqs:*")},
		{"AmazonSNSFullAccess", "/", "Provides full access to Amazon SNS via the AWS Management Console.", allowAll("sns:*")},
		{"AWSXrayWriteOnlyAccess", "/", "AWS X-Ray write only managed policy", allowAll("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries")},
		{"AWSXRayDaemonWriteAccess", "/", "Allow the AWS X-Ray Daemon to relay raw trace segments data to the service's API and retrieve sampling data (rules, targets, etc.) to be used by the X-Ray SDK.", allowAll("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries")},
		{"AWSCloudFormationFullAccess", "/", "Provides full access to AWS CloudFormation.", allowAll("cloudformation:*")},
		{"AmazonECSTaskExecutionRolePolicy", "/service-role/", "Provides access to other AWS service resources that are required to run Amazon ECS tasks", allowAll("ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents")},
		{"SecretsManagerReadWrite", "/", "Provides read/write access to AWS Secrets Manager via the AWS Management Console.", allowAll("secretsmanager:*", "kms:DescribeKey", "kms:ListAliases", "kms:ListKeys", "lambda:ListFunctions", "tag:GetResources")},
		{"AmazonSSMReadOnlyAccess", "/", "Provides read only access to Amazon SSM.", allowAll("ssm:Describe*", "ssm:Get*", "ssm:List*")},
		{"AWSKeyManagementServicePowerUser", "/", "Provides access to AWS Key Management Service (KMS).", allowAll("kms:CreateAlias", "kms:CreateKey", "kms:DeleteAlias", "kms:Describe*", "kms:GenerateRandom", "kms:Get*", "kms:List*", "kms:TagResource", "kms:UntagResource", "iam:ListGroups", "iam:ListRoles", "iam:ListUsers")},
	}
	m := make(map[string]*awsPolicy, len(list))
	for _, p := range list {
		m[p.Arn()] = p
	}
	return m
}()

// sortedAWSPolicies returns the AWS managed policies ordered by ARN.
func sortedAWSPolicies() []*awsPolicy {
	out := make([]*awsPolicy, 0, len(awsPolicies))
	for _, p := range awsPolicies {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Arn() < out[j].Arn() })
	return out
}

// hashID derives 17 id characters from s, for ids that must be stable.
func hashID(s string) string {
	sum := sha256.Sum256([]byte(s))
	b := make([]byte, 17)
	for i := range b {
		b[i] = idAlphabet[sum[i]%byte(len(idAlphabet))]
	}
	return string(b)
}

// idAlphabet is the character set of IAM unique ids.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
