package lambda

import (
	"time"

	"tenkai/internal/lambda/runtime"
)

// timeLayout is the LastModified format of the Lambda API: 2026-11-21T08:00:00.000+0000.
const timeLayout = "2006-01-02T15:04:05.000-0700"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// function is one function as stored: $LATEST, its published versions and
// everything attached to the function. One JSON document per function keeps
// updates atomic.
type function struct {
	Name         string                        `json:"name"`
	Latest       *version                      `json:"latest"`
	Versions     map[string]*version           `json:"versions,omitempty"` // published, by number
	LastVersion  int64                         `json:"lastVersion"`        // highest number ever published
	Aliases      map[string]*alias             `json:"aliases,omitempty"`
	Policy       map[string][]statement        `json:"policy,omitempty"` // by qualifier; "" is the unqualified function
	Tags         map[string]string             `json:"tags,omitempty"`
	Reserved     *int                          `json:"reserved,omitempty"`     // reserved concurrency; nil when not set
	EventConfigs map[string]*eventInvokeConfig `json:"eventConfigs,omitempty"` // by qualifier
}

// version is the configuration and code of $LATEST or a published version.
type version struct {
	Version          string            `json:"version"`
	Runtime          string            `json:"runtime,omitempty"`
	Role             string            `json:"role"`
	Handler          string            `json:"handler,omitempty"`
	Description      string            `json:"description"`
	Timeout          int               `json:"timeout"`
	MemorySize       int               `json:"memorySize"`
	Env              map[string]string `json:"env,omitempty"`
	Layers           []layerRef        `json:"layers,omitempty"`
	Architectures    []string          `json:"architectures"`
	EphemeralStorage int               `json:"ephemeralStorage"`
	TracingMode      string            `json:"tracingMode"`
	DeadLetterTarget string            `json:"deadLetterTarget,omitempty"`
	KMSKeyArn        string            `json:"kmsKeyArn,omitempty"`
	Logging          loggingConfig     `json:"logging"`
	Code             codeRef           `json:"code"`
	LastModified     time.Time         `json:"lastModified"`
	RevisionID       string            `json:"revisionId"`
	State            string            `json:"state"`
	LastUpdateStatus string            `json:"lastUpdateStatus"`
}

// codeRef says where a version's code is: a content-addressed zip blob, or a
// local directory for hot reload.
type codeRef struct {
	Sha256    string `json:"sha256"` // base64 of the zip's SHA-256, as CodeSha256
	Hex       string `json:"hex,omitempty"`
	Size      int64  `json:"size"`
	HotReload string `json:"hotReload,omitempty"` // local directory
}

type layerRef struct {
	Arn      string `json:"arn"`
	CodeSize int64  `json:"codeSize"`
}

type loggingConfig struct {
	LogFormat           string `json:"LogFormat,omitempty"`
	ApplicationLogLevel string `json:"ApplicationLogLevel,omitempty"`
	SystemLogLevel      string `json:"SystemLogLevel,omitempty"`
	LogGroup            string `json:"LogGroup,omitempty"`
}

type alias struct {
	Name            string             `json:"name"`
	FunctionVersion string             `json:"functionVersion"`
	Description     string             `json:"description"`
	Weights         map[string]float64 `json:"weights,omitempty"` // AdditionalVersionWeights
	RevisionID      string             `json:"revisionId"`
}

// statement is one resource policy statement as AddPermission received it.
type statement struct {
	Sid           string `json:"sid"`
	Action        string `json:"action"`
	Principal     string `json:"principal"`
	SourceArn     string `json:"sourceArn,omitempty"`
	SourceAccount string `json:"sourceAccount,omitempty"`
	PrincipalOrg  string `json:"principalOrg,omitempty"`
	EventSrcToken string `json:"eventSourceToken,omitempty"`
	UrlAuthType   string `json:"urlAuthType,omitempty"`
	Resource      string `json:"resource"`
}

type eventInvokeConfig struct {
	MaximumRetryAttempts     *int      `json:"maximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int      `json:"maximumEventAgeInSeconds,omitempty"`
	OnSuccess                string    `json:"onSuccess,omitempty"`
	OnFailure                string    `json:"onFailure,omitempty"`
	LastModified             time.Time `json:"lastModified"`
}

// layer is one layer with its versions, stored as one document.
type layer struct {
	Name        string                  `json:"name"`
	LastVersion int64                   `json:"lastVersion"`
	Versions    map[int64]*layerVersion `json:"versions"`
}

type layerVersion struct {
	Version                 int64     `json:"version"`
	Description             string    `json:"description"`
	Created                 time.Time `json:"created"`
	CompatibleRuntimes      []string  `json:"compatibleRuntimes,omitempty"`
	CompatibleArchitectures []string  `json:"compatibleArchitectures,omitempty"`
	LicenseInfo             string    `json:"licenseInfo,omitempty"`
	Code                    codeRef   `json:"code"`
}

// Wire shapes (restJson1 output).

type functionConfiguration struct {
	FunctionName     string             `json:"FunctionName"`
	FunctionArn      string             `json:"FunctionArn"`
	Runtime          string             `json:"Runtime,omitempty"`
	Role             string             `json:"Role"`
	Handler          string             `json:"Handler,omitempty"`
	CodeSize         int64              `json:"CodeSize"`
	Description      string             `json:"Description"`
	Timeout          int                `json:"Timeout"`
	MemorySize       int                `json:"MemorySize"`
	LastModified     string             `json:"LastModified"`
	CodeSha256       string             `json:"CodeSha256"`
	Version          string             `json:"Version"`
	Environment      *environmentOut    `json:"Environment,omitempty"`
	DeadLetterConfig *deadLetterConfig  `json:"DeadLetterConfig,omitempty"`
	KMSKeyArn        string             `json:"KMSKeyArn,omitempty"`
	TracingConfig    tracingConfig      `json:"TracingConfig"`
	RevisionId       string             `json:"RevisionId"`
	Layers           []layerOut         `json:"Layers,omitempty"`
	State            string             `json:"State"`
	StateReason      string             `json:"StateReason,omitempty"`
	StateReasonCode  string             `json:"StateReasonCode,omitempty"`
	LastUpdateStatus string             `json:"LastUpdateStatus"`
	PackageType      string             `json:"PackageType"`
	Architectures    []string           `json:"Architectures"`
	EphemeralStorage ephemeralStorage   `json:"EphemeralStorage"`
	SnapStart        snapStart          `json:"SnapStart"`
	LoggingConfig    loggingConfig      `json:"LoggingConfig"`
	RuntimeVersion   *runtimeVersionCfg `json:"RuntimeVersionConfig,omitempty"`
}

type environmentOut struct {
	Variables map[string]string `json:"Variables"`
}

type deadLetterConfig struct {
	TargetArn string `json:"TargetArn,omitempty"`
}

type tracingConfig struct {
	Mode string `json:"Mode"`
}

type layerOut struct {
	Arn      string `json:"Arn"`
	CodeSize int64  `json:"CodeSize"`
}

type ephemeralStorage struct {
	Size int `json:"Size"`
}

type snapStart struct {
	ApplyOn            string `json:"ApplyOn"`
	OptimizationStatus string `json:"OptimizationStatus"`
}

type runtimeVersionCfg struct {
	RuntimeVersionArn string `json:"RuntimeVersionArn"`
}

// configuration renders v of fn for the wire.
func (v *version) configuration(account, region, name string) *functionConfiguration {
	arn := functionARN(account, region, name)
	if v.Version != "$LATEST" {
		arn += ":" + v.Version
	}
	c := &functionConfiguration{
		FunctionName: name, FunctionArn: arn, Runtime: v.Runtime, Role: v.Role, Handler: v.Handler,
		CodeSize: v.Code.Size, Description: v.Description, Timeout: v.Timeout, MemorySize: v.MemorySize,
		LastModified: formatTime(v.LastModified), CodeSha256: v.Code.Sha256, Version: v.Version,
		KMSKeyArn: v.KMSKeyArn, TracingConfig: tracingConfig{Mode: v.TracingMode}, RevisionId: v.RevisionID,
		State: v.State, LastUpdateStatus: v.LastUpdateStatus, PackageType: "Zip",
		Architectures: v.Architectures, EphemeralStorage: ephemeralStorage{Size: v.EphemeralStorage},
		SnapStart:     snapStart{ApplyOn: "None", OptimizationStatus: "Off"},
		LoggingConfig: v.Logging,
	}
	if v.Runtime != "" {
		c.RuntimeVersion = &runtimeVersionCfg{RuntimeVersionArn: runtime.RuntimeVersionARN(region, v.Runtime)}
	}
	if c.LoggingConfig.LogGroup == "" {
		c.LoggingConfig.LogGroup = "/aws/lambda/" + name
	}
	if c.LoggingConfig.LogFormat == "" {
		c.LoggingConfig.LogFormat = "Text"
	}
	if len(v.Env) > 0 {
		c.Environment = &environmentOut{Variables: v.Env}
	}
	if v.DeadLetterTarget != "" {
		c.DeadLetterConfig = &deadLetterConfig{TargetArn: v.DeadLetterTarget}
	}
	for _, l := range v.Layers {
		c.Layers = append(c.Layers, layerOut(l))
	}
	return c
}
