package codepipeline

import "tenkai/internal/edge"

// The wire shapes of the CodePipeline API (2015-07-09), as the SDKs send them.

// PipelineDeclaration is a pipeline's structure.
type PipelineDeclaration struct {
	Name           string                   `json:"name"`
	RoleArn        string                   `json:"roleArn"`
	ArtifactStore  *ArtifactStore           `json:"artifactStore,omitempty"`
	ArtifactStores map[string]ArtifactStore `json:"artifactStores,omitempty"`
	Stages         []StageDeclaration       `json:"stages"`
	Version        int                      `json:"version,omitempty"`
	ExecutionMode  string                   `json:"executionMode,omitempty"`
	PipelineType   string                   `json:"pipelineType,omitempty"`
	Variables      []VariableDeclaration    `json:"variables,omitempty"`
	Triggers       []map[string]any         `json:"triggers,omitempty"`
}

// ArtifactStore names the S3 bucket that holds a pipeline's artifacts.
type ArtifactStore struct {
	Type          string         `json:"type"`
	Location      string         `json:"location"`
	EncryptionKey *EncryptionKey `json:"encryptionKey,omitempty"`
}

// EncryptionKey is a KMS key for artifacts.
type EncryptionKey struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// StageDeclaration is one stage.
type StageDeclaration struct {
	Name        string              `json:"name"`
	Blockers    []map[string]any    `json:"blockers,omitempty"`
	Actions     []ActionDeclaration `json:"actions"`
	OnFailure   map[string]any      `json:"onFailure,omitempty"`
	OnSuccess   map[string]any      `json:"onSuccess,omitempty"`
	BeforeEntry map[string]any      `json:"beforeEntry,omitempty"`
}

// ActionDeclaration is one action of a stage.
type ActionDeclaration struct {
	Name                 string            `json:"name"`
	ActionTypeID         ActionTypeID      `json:"actionTypeId"`
	RunOrder             int               `json:"runOrder,omitempty"`
	Configuration        map[string]string `json:"configuration,omitempty"`
	Commands             []string          `json:"commands,omitempty"`
	OutputArtifacts      []ArtifactName    `json:"outputArtifacts,omitempty"`
	InputArtifacts       []ArtifactName    `json:"inputArtifacts,omitempty"`
	OutputVariables      []string          `json:"outputVariables,omitempty"`
	RoleArn              string            `json:"roleArn,omitempty"`
	Region               string            `json:"region,omitempty"`
	Namespace            string            `json:"namespace,omitempty"`
	TimeoutInMinutes     int               `json:"timeoutInMinutes,omitempty"`
	EnvironmentVariables []map[string]any  `json:"environmentVariables,omitempty"`
}

// ArtifactName is an input or output artifact reference.
type ArtifactName struct {
	Name  string   `json:"name"`
	Files []string `json:"files,omitempty"`
}

// ActionTypeID identifies an action type.
type ActionTypeID struct {
	Category string `json:"category"`
	Owner    string `json:"owner"`
	Provider string `json:"provider"`
	Version  string `json:"version"`
}

// VariableDeclaration is a V2 pipeline-level variable.
type VariableDeclaration struct {
	Name         string `json:"name"`
	DefaultValue string `json:"defaultValue,omitempty"`
	Description  string `json:"description,omitempty"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// PipelineMetadata is GetPipeline's metadata.
type PipelineMetadata struct {
	PipelineArn string     `json:"pipelineArn"`
	Created     edge.Epoch `json:"created"`
	Updated     edge.Epoch `json:"updated"`
}

// PipelineSummary is one ListPipelines entry.
type PipelineSummary struct {
	Name          string     `json:"name"`
	Version       int        `json:"version"`
	PipelineType  string     `json:"pipelineType"`
	ExecutionMode string     `json:"executionMode"`
	Created       edge.Epoch `json:"created"`
	Updated       edge.Epoch `json:"updated"`
}

// ErrorDetails describes an action failure.
type ErrorDetails struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// ExecutionTrigger says what started an execution.
type ExecutionTrigger struct {
	TriggerType   string `json:"triggerType,omitempty"`
	TriggerDetail string `json:"triggerDetail,omitempty"`
}

// ArtifactRevision is a source revision of an execution.
type ArtifactRevision struct {
	Name                     string      `json:"name,omitempty"`
	RevisionID               string      `json:"revisionId,omitempty"`
	RevisionChangeIdentifier string      `json:"revisionChangeIdentifier,omitempty"`
	RevisionSummary          string      `json:"revisionSummary,omitempty"`
	Created                  *edge.Epoch `json:"created,omitempty"`
}

// SourceRevision is one ListPipelineExecutions source revision.
type SourceRevision struct {
	ActionName      string `json:"actionName"`
	RevisionID      string `json:"revisionId,omitempty"`
	RevisionSummary string `json:"revisionSummary,omitempty"`
}

// ResolvedVariable is an execution's pipeline variable value.
type ResolvedVariable struct {
	Name          string `json:"name"`
	ResolvedValue string `json:"resolvedValue"`
}

// ArtifactDetail is an artifact in ListActionExecutions.
type ArtifactDetail struct {
	Name       string      `json:"name"`
	S3Location *S3Location `json:"s3location,omitempty"`
}

// S3Location is a bucket and key (ListActionExecutions spelling).
type S3Location struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
}

// Artifact is a job's artifact.
type Artifact struct {
	Name     string           `json:"name"`
	Revision *string          `json:"revision"`
	Location ArtifactLocation `json:"location"`
}

// ArtifactLocation is where an artifact lives.
type ArtifactLocation struct {
	Type       string             `json:"type"`
	S3Location S3ArtifactLocation `json:"s3Location"`
}

// S3ArtifactLocation is a bucket and key (job spelling).
type S3ArtifactLocation struct {
	BucketName string `json:"bucketName"`
	ObjectKey  string `json:"objectKey"`
}

// Credentials are artifact credentials handed to job workers.
type Credentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken"`
}

// ActionConfigurationProperty is a custom action type's configuration property.
type ActionConfigurationProperty struct {
	Name        string `json:"name"`
	Required    bool   `json:"required"`
	Key         bool   `json:"key"`
	Secret      bool   `json:"secret"`
	Queryable   bool   `json:"queryable,omitempty"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty"`
}

// ArtifactDetails bounds an action type's artifact counts.
type ArtifactDetails struct {
	MinimumCount int `json:"minimumCount"`
	MaximumCount int `json:"maximumCount"`
}

// ActionType describes an action type.
type ActionType struct {
	ID                            ActionTypeID                  `json:"id"`
	Settings                      map[string]string             `json:"settings,omitempty"`
	ActionConfigurationProperties []ActionConfigurationProperty `json:"actionConfigurationProperties,omitempty"`
	InputArtifactDetails          ArtifactDetails               `json:"inputArtifactDetails"`
	OutputArtifactDetails         ArtifactDetails               `json:"outputArtifactDetails"`
}
