package engine

// DataDetails is HistoryEventExecutionDataDetails.
type DataDetails struct {
	Truncated bool `json:"truncated"`
}

// ExecutionStartedEventDetails is the ExecutionStarted member.
type ExecutionStartedEventDetails struct {
	Input                  string       `json:"input"`
	InputDetails           *DataDetails `json:"inputDetails,omitempty"`
	RoleArn                string       `json:"roleArn,omitempty"`
	StateMachineAliasArn   string       `json:"stateMachineAliasArn,omitempty"`
	StateMachineVersionArn string       `json:"stateMachineVersionArn,omitempty"`
}

// ExecutionSucceededEventDetails is the ExecutionSucceeded member.
type ExecutionSucceededEventDetails struct {
	Output        string       `json:"output"`
	OutputDetails *DataDetails `json:"outputDetails,omitempty"`
}

// ErrorDetails carries error and cause (ExecutionFailed, ExecutionAborted,
// ExecutionTimedOut, LambdaFunctionFailed, ActivityFailed, MapIteration...).
type ErrorDetails struct {
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
}

// StateEnteredEventDetails is the *StateEntered member.
type StateEnteredEventDetails struct {
	Name         string       `json:"name"`
	Input        string       `json:"input"`
	InputDetails *DataDetails `json:"inputDetails,omitempty"`
}

// StateExitedEventDetails is the *StateExited member.
type StateExitedEventDetails struct {
	Name                     string            `json:"name"`
	Output                   string            `json:"output"`
	OutputDetails            *DataDetails      `json:"outputDetails,omitempty"`
	AssignedVariables        map[string]string `json:"assignedVariables,omitempty"`
	AssignedVariablesDetails *DataDetails      `json:"assignedVariablesDetails,omitempty"`
}

// TaskCredentials is the taskCredentials member of TaskScheduled.
type TaskCredentials struct {
	RoleArn string `json:"roleArn,omitempty"`
}

// TaskScheduledEventDetails is the TaskScheduled member.
type TaskScheduledEventDetails struct {
	ResourceType       string           `json:"resourceType"`
	Resource           string           `json:"resource"`
	Region             string           `json:"region"`
	Parameters         string           `json:"parameters"`
	TimeoutInSeconds   int64            `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds int64            `json:"heartbeatInSeconds,omitempty"`
	TaskCredentials    *TaskCredentials `json:"taskCredentials,omitempty"`
}

// TaskResourceDetails is the TaskStarted member.
type TaskResourceDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
}

// TaskOutputDetails is the TaskSucceeded and TaskSubmitted member.
type TaskOutputDetails struct {
	ResourceType  string       `json:"resourceType"`
	Resource      string       `json:"resource"`
	Output        string       `json:"output"`
	OutputDetails *DataDetails `json:"outputDetails,omitempty"`
}

// TaskErrorDetails is the TaskFailed, TaskTimedOut, TaskStartFailed and TaskSubmitFailed member.
type TaskErrorDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
	Error        string `json:"error,omitempty"`
	Cause        string `json:"cause,omitempty"`
}

// LambdaFunctionScheduledEventDetails is the LambdaFunctionScheduled member.
type LambdaFunctionScheduledEventDetails struct {
	Resource         string           `json:"resource"`
	Input            string           `json:"input"`
	InputDetails     *DataDetails     `json:"inputDetails,omitempty"`
	TimeoutInSeconds int64            `json:"timeoutInSeconds,omitempty"`
	TaskCredentials  *TaskCredentials `json:"taskCredentials,omitempty"`
}

// ActivityScheduledEventDetails is the ActivityScheduled member.
type ActivityScheduledEventDetails struct {
	Resource           string       `json:"resource"`
	Input              string       `json:"input"`
	InputDetails       *DataDetails `json:"inputDetails,omitempty"`
	TimeoutInSeconds   int64        `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds int64        `json:"heartbeatInSeconds,omitempty"`
}

// OutputDetails is the LambdaFunctionSucceeded and ActivitySucceeded member.
type OutputDetails struct {
	Output        string       `json:"output"`
	OutputDetails *DataDetails `json:"outputDetails,omitempty"`
}

// MapStateStartedEventDetails is the MapStateStarted member.
type MapStateStartedEventDetails struct {
	Length int `json:"length"`
}

// MapIterationEventDetails is the MapIteration* member.
type MapIterationEventDetails struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
}

// EvaluationFailedEventDetails is the EvaluationFailed member (a JSONata
// expression failed).
type EvaluationFailedEventDetails struct {
	Error    string `json:"error,omitempty"`
	Cause    string `json:"cause,omitempty"`
	Location string `json:"location,omitempty"`
	State    string `json:"state"`
}

// MapRunStartedEventDetails is the MapRunStarted member.
type MapRunStartedEventDetails struct {
	MapRunArn string `json:"mapRunArn"`
}

// ExecutionRedrivenEventDetails is the ExecutionRedriven member.
type ExecutionRedrivenEventDetails struct {
	RedriveCount int `json:"redriveCount"`
}

// Detail member names, by event type.
var detailsKeys = map[string]string{
	"ExecutionStarted":        "executionStartedEventDetails",
	"ExecutionSucceeded":      "executionSucceededEventDetails",
	"ExecutionFailed":         "executionFailedEventDetails",
	"ExecutionAborted":        "executionAbortedEventDetails",
	"ExecutionTimedOut":       "executionTimedOutEventDetails",
	"ExecutionRedriven":       "executionRedrivenEventDetails",
	"EvaluationFailed":        "evaluationFailedEventDetails",
	"MapRunStarted":           "mapRunStartedEventDetails",
	"MapRunFailed":            "mapRunFailedEventDetails",
	"TaskScheduled":           "taskScheduledEventDetails",
	"TaskStarted":             "taskStartedEventDetails",
	"TaskSubmitted":           "taskSubmittedEventDetails",
	"TaskSucceeded":           "taskSucceededEventDetails",
	"TaskFailed":              "taskFailedEventDetails",
	"TaskTimedOut":            "taskTimedOutEventDetails",
	"TaskStartFailed":         "taskStartFailedEventDetails",
	"TaskSubmitFailed":        "taskSubmitFailedEventDetails",
	"LambdaFunctionScheduled": "lambdaFunctionScheduledEventDetails",
	"LambdaFunctionSucceeded": "lambdaFunctionSucceededEventDetails",
	"LambdaFunctionFailed":    "lambdaFunctionFailedEventDetails",
	"LambdaFunctionTimedOut":  "lambdaFunctionTimedOutEventDetails",
	"ActivityScheduled":       "activityScheduledEventDetails",
	"ActivityStarted":         "activityStartedEventDetails",
	"ActivitySucceeded":       "activitySucceededEventDetails",
	"ActivityFailed":          "activityFailedEventDetails",
	"ActivityTimedOut":        "activityTimedOutEventDetails",
	"MapStateStarted":         "mapStateStartedEventDetails",
	"MapIterationStarted":     "mapIterationStartedEventDetails",
	"MapIterationSucceeded":   "mapIterationSucceededEventDetails",
	"MapIterationFailed":      "mapIterationFailedEventDetails",
	"MapIterationAborted":     "mapIterationAbortedEventDetails",
}

func detailsKey(typ string) string {
	if k, ok := detailsKeys[typ]; ok {
		return k
	}
	switch {
	case hasSuffix(typ, "StateEntered"):
		return "stateEnteredEventDetails"
	case hasSuffix(typ, "StateExited"):
		return "stateExitedEventDetails"
	}
	return ""
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }
