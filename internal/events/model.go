package events

import (
	"encoding/json"
	"time"
)

// Bus is a stored event bus.
type Bus struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Created     time.Time `json:"created"`
	Modified    time.Time `json:"modified"`
	Policy      string    `json:"policy,omitempty"`
}

// Rule is a stored rule with its targets.
type Rule struct {
	Name               string    `json:"name"`
	Bus                string    `json:"bus"`
	EventPattern       string    `json:"eventPattern,omitempty"`
	ScheduleExpression string    `json:"scheduleExpression,omitempty"`
	State              string    `json:"state"`
	Description        string    `json:"description,omitempty"`
	RoleArn            string    `json:"roleArn,omitempty"`
	ManagedBy          string    `json:"managedBy,omitempty"`
	Targets            []Target  `json:"targets,omitempty"`
	Created            time.Time `json:"created"`

	arn string // set on rules held by a bus index, so routing does not rebuild it
}

// Target is a rule target as PutTargets takes it; members tenkai does not act
// on (Kinesis, ECS, ...) are kept verbatim so they read back unchanged.
type Target struct {
	Id               string            `json:"Id"`
	Arn              string            `json:"Arn"`
	RoleArn          string            `json:"RoleArn,omitempty"`
	Input            *string           `json:"Input,omitempty"`
	InputPath        *string           `json:"InputPath,omitempty"`
	InputTransformer *InputTransformer `json:"InputTransformer,omitempty"`
	RetryPolicy      *RetryPolicy      `json:"RetryPolicy,omitempty"`
	HttpParameters   *HTTPParameters   `json:"HttpParameters,omitempty"`
	SqsParameters    *SQSParameters    `json:"SqsParameters,omitempty"`
	// raw is the target exactly as given, so members tenkai does not act on
	// read back unchanged.
	raw json.RawMessage
}

// HTTPParameters are the extra parts of an API destination request.
type HTTPParameters struct {
	PathParameterValues   []string          `json:"PathParameterValues,omitempty"`
	HeaderParameters      map[string]string `json:"HeaderParameters,omitempty"`
	QueryStringParameters map[string]string `json:"QueryStringParameters,omitempty"`
}

// SQSParameters name the message group of a FIFO (or fair) queue target.
type SQSParameters struct {
	MessageGroupId string `json:"MessageGroupId,omitempty"`
}

type targetFields Target

// UnmarshalJSON keeps the raw target next to the typed fields.
func (t *Target) UnmarshalJSON(b []byte) error {
	var f targetFields
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*t = Target(f)
	t.raw = append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON writes the target as it was given.
func (t Target) MarshalJSON() ([]byte, error) {
	if t.raw != nil {
		return t.raw, nil
	}
	return json.Marshal(targetFields(t))
}

// InputTransformer builds a target's input from values of the event.
type InputTransformer struct {
	InputPathsMap map[string]string `json:"InputPathsMap,omitempty"`
	InputTemplate string            `json:"InputTemplate"`
}

// RetryPolicy bounds delivery retries.
type RetryPolicy struct {
	MaximumRetryAttempts     *int `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int `json:"MaximumEventAgeInSeconds,omitempty"`
}

// Connection holds the authorization an API destination sends.
type Connection struct {
	Name              string          `json:"name"`
	Description       string          `json:"description,omitempty"`
	AuthorizationType string          `json:"authorizationType"`
	AuthParameters    json.RawMessage `json:"authParameters"`
	UUID              string          `json:"uuid"`
	Created           time.Time       `json:"created"`
	Modified          time.Time       `json:"modified"`
}

// APIDestination is an HTTP endpoint targets can call.
type APIDestination struct {
	Name          string    `json:"name"`
	Description   string    `json:"description,omitempty"`
	ConnectionArn string    `json:"connectionArn"`
	Endpoint      string    `json:"endpoint"`
	Method        string    `json:"method"`
	RateLimit     int       `json:"rateLimit,omitempty"`
	UUID          string    `json:"uuid"`
	Created       time.Time `json:"created"`
	Modified      time.Time `json:"modified"`
}
