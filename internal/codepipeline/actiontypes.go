package codepipeline

import "strings"

// builtin is an AWS-owned action type with the artifact counts and required
// configuration AWS documents for it.
type builtin struct {
	id       ActionTypeID
	in, out  ArtifactDetails
	required []string
	optional []string
}

func aws(category, provider string, inMin, inMax, outMin, outMax int, required []string, optional ...string) builtin {
	return builtin{id: ActionTypeID{Category: category, Owner: "AWS", Provider: provider, Version: "1"},
		in: ArtifactDetails{inMin, inMax}, out: ArtifactDetails{outMin, outMax}, required: required, optional: optional}
}

// builtins are the AWS action types tenkai accepts in pipeline structures.
var builtins = []builtin{
	aws("Source", "S3", 0, 0, 1, 1, []string{"S3Bucket", "S3ObjectKey"}, "PollForSourceChanges", "AllowOverrideForS3ObjectKey"),
	aws("Source", "CodeCommit", 0, 0, 1, 1, []string{"RepositoryName", "BranchName"}, "PollForSourceChanges", "OutputArtifactFormat"),
	aws("Source", "CodeStarSourceConnection", 0, 0, 1, 1, []string{"ConnectionArn", "FullRepositoryId", "BranchName"}, "OutputArtifactFormat", "DetectChanges"),
	aws("Source", "ECR", 0, 0, 1, 1, []string{"RepositoryName"}, "ImageTag"),
	aws("Build", "CodeBuild", 1, 5, 0, 5, []string{"ProjectName"}, "PrimarySource", "BatchEnabled", "EnvironmentVariables"),
	aws("Test", "CodeBuild", 1, 5, 0, 5, []string{"ProjectName"}, "PrimarySource", "BatchEnabled", "EnvironmentVariables"),
	aws("Deploy", "S3", 1, 1, 0, 0, []string{"BucketName", "Extract"}, "ObjectKey", "KMSEncryptionKeyARN", "CannedACL", "CacheControl"),
	aws("Deploy", "CodeDeploy", 1, 1, 0, 0, []string{"ApplicationName", "DeploymentGroupName"}),
	aws("Deploy", "ECS", 1, 1, 0, 0, []string{"ClusterName", "ServiceName"}, "FileName", "DeploymentTimeout"),
	aws("Deploy", "CloudFormation", 0, 10, 0, 1, []string{"ActionMode", "StackName"}, "Capabilities", "ChangeSetName", "RoleArn", "TemplatePath", "TemplateConfiguration", "ParameterOverrides", "OutputFileName"),
	aws("Invoke", "Lambda", 0, 5, 0, 5, []string{"FunctionName"}, "UserParameters"),
	aws("Invoke", "StepFunctions", 0, 1, 0, 1, []string{"StateMachineArn"}, "ExecutionNamePrefix", "InputType", "Input"),
	aws("Approval", "Manual", 0, 0, 0, 0, nil, "CustomData", "ExternalEntityLink", "NotificationArn"),
}

func findBuiltin(id ActionTypeID) (builtin, bool) {
	for _, b := range builtins {
		if b.id == id {
			return b, true
		}
	}
	return builtin{}, false
}

// actionType renders a builtin as ListActionTypes shows it.
func (b builtin) actionType() ActionType {
	var props []ActionConfigurationProperty
	for _, r := range b.required {
		props = append(props, ActionConfigurationProperty{Name: r, Required: true, Key: true, Secret: false})
	}
	for _, o := range b.optional {
		props = append(props, ActionConfigurationProperty{Name: o, Required: false, Key: false, Secret: false})
	}
	return ActionType{ID: b.id, ActionConfigurationProperties: props, InputArtifactDetails: b.in, OutputArtifactDetails: b.out}
}

// regionWord is how AWS spells a region in action type messages ("US_EAST_1").
func regionWord(region string) string {
	return strings.ToUpper(strings.ReplaceAll(region, "-", "_"))
}
