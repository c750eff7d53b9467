package asl

// Query languages.
const (
	JSONPath = "JSONPath"
	JSONata  = "JSONata"
)

// State types.
const (
	TypeTask     = "Task"
	TypePass     = "Pass"
	TypeChoice   = "Choice"
	TypeWait     = "Wait"
	TypeSucceed  = "Succeed"
	TypeFail     = "Fail"
	TypeParallel = "Parallel"
	TypeMap      = "Map"
)

// Limits AWS enforces on definitions.
const (
	MaxDefinitionSize = 1 << 20 // 1 MB
	MaxStateNameLen   = 80
)

// StateMachine is a parsed definition.
type StateMachine struct {
	Machine
	Comment        string
	Version        string
	TimeoutSeconds int64 // 0 means none
	QueryLanguage  string
	Definition     []byte // the definition as given
}

// Machine is a set of states with a start: the top level, a Parallel branch
// or a Map item processor.
type Machine struct {
	StartAt string
	States  map[string]*State
	Order   []string // state names in definition order
	// ProcessorMode is "INLINE" or "DISTRIBUTED" for a Map item processor.
	ProcessorMode string
	ExecutionType string
}

// OptPath is a path field that may be absent, set to a path, or null.
type OptPath struct {
	Set  bool
	Null bool
	Path *Path
}

// State is one parsed state. Fields apply per Type and QueryLanguage.
type State struct {
	Name          string
	Type          string
	QueryLanguage string // effective: JSONPath or JSONata
	Comment       string
	Next          string
	End           bool

	// JSONPath mode.
	InputPath      OptPath
	OutputPath     OptPath
	ResultPath     OptPath
	Parameters     *Template
	ResultSelector *Template
	Result         any
	HasResult      bool

	// JSONata mode.
	Arguments *JTemplate
	Output    *JTemplate
	HasOutput bool

	// Both modes.
	Assign  *Template  // JSONPath
	JAssign *JTemplate // JSONata
	Retry   []*Retrier
	Catch   []*Catcher

	// Task.
	Resource             string
	TimeoutSeconds       int64
	TimeoutSecondsPath   *Path
	JTimeoutSeconds      *JTemplate
	HeartbeatSeconds     int64
	HeartbeatSecondsPath *Path
	JHeartbeatSeconds    *JTemplate
	Credentials          any        // as written
	CredentialsTemplate  *Template  // JSONPath mode
	JCredentials         *JTemplate // JSONata mode

	// Choice.
	Choices []*Rule
	Default string

	// Wait.
	Seconds       int64
	HasSeconds    bool
	SecondsPath   *Path
	Timestamp     string
	TimestampPath *Path
	JSeconds      *JTemplate
	JTimestamp    *JTemplate

	// Fail.
	Error     string
	Cause     string
	ErrorPath *Path
	CausePath *Path
	ErrorCall *Call
	CauseCall *Call
	JError    *JTemplate
	JCause    *JTemplate

	// Parallel.
	Branches []*Machine

	// Map.
	Processor                      *Machine
	ItemsPath                      OptPath
	Items                          *JTemplate
	ItemSelector                   *Template
	JItemSelector                  *JTemplate
	MaxConcurrency                 int64
	MaxConcurrencyPath             *Path
	JMaxConcurrency                *JTemplate
	ToleratedFailurePercentage     float64
	HasToleratedFailurePercentage  bool
	ToleratedFailurePercentagePath *Path
	ToleratedFailureCount          int64
	HasToleratedFailureCount       bool
	ToleratedFailureCountPath      *Path
	ItemReader                     any // raw ItemReader, for the service
	ItemBatcher                    any
	ResultWriter                   any
	Label                          string

	// Raw is the state's definition as Go JSON data (for TestState and tools).
	Raw *Object
}

// Retrier is one Retry entry.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds int64   // default 1
	MaxAttempts     int64   // default 3
	BackoffRate     float64 // default 2.0
	MaxDelaySeconds int64   // 0 = none
	JitterStrategy  string  // "FULL" or "NONE"
}

// Catcher is one Catch entry.
type Catcher struct {
	ErrorEquals []string
	Next        string
	ResultPath  OptPath
	Output      *JTemplate
	HasOutput   bool
	Assign      *Template
	JAssign     *JTemplate
}

// Rule is a Choice rule or a nested boolean expression.
type Rule struct {
	Next      string // only on top-level rules
	Variable  *Path
	Operator  string // e.g. "StringEquals", "NumericLessThanPath", "IsPresent"
	Value     any    // comparison value (literal)
	ValuePath *Path  // for ...Path operators
	And, Or   []*Rule
	Not       *Rule
	Condition *JTemplate // JSONata mode
	Assign    *Template
	JAssign   *JTemplate
	Output    *JTemplate
	HasOutput bool
}
