package lambda

import (
	"encoding/json"
	"sort"
	"strings"

	"tenkai/internal/edge"
)

// runtimeEnum is the Runtime enum of the API model; values outside it fail
// validation.
var runtimeEnum = []string{
	"nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x",
	"java8", "java8.al2", "java11", "python2.7", "python3.6", "python3.7", "python3.8", "python3.9",
	"dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6", "dotnet8", "nodejs4.3-edge",
	"go1.x", "ruby2.5", "ruby2.7", "provided", "provided.al2", "nodejs18.x", "python3.10", "java17",
	"ruby3.2", "ruby3.3", "ruby3.4", "python3.11", "nodejs20.x", "provided.al2023", "python3.12", "java21",
	"python3.13", "nodejs22.x", "nodejs24.x", "python3.14", "java25", "dotnet10", "ruby4.0",
}

// deprecated runtimes can no longer be used to create or update functions;
// the value is the replacement AWS recommends.
var deprecated = map[string]string{
	"nodejs": "nodejs22.x", "nodejs4.3": "nodejs22.x", "nodejs6.10": "nodejs22.x", "nodejs8.10": "nodejs22.x",
	"nodejs10.x": "nodejs22.x", "nodejs12.x": "nodejs22.x", "nodejs14.x": "nodejs22.x", "nodejs16.x": "nodejs22.x",
	"nodejs4.3-edge": "nodejs22.x",
	"python2.7":      "python3.13", "python3.6": "python3.13", "python3.7": "python3.13", "python3.8": "python3.13",
	"java8": "java21", "dotnetcore1.0": "dotnet8", "dotnetcore2.0": "dotnet8", "dotnetcore2.1": "dotnet8",
	"dotnetcore3.1": "dotnet8", "dotnet6": "dotnet8", "go1.x": "provided.al2023", "provided": "provided.al2023",
	"ruby2.5": "ruby3.4", "ruby2.7": "ruby3.4",
}

// Runnable reports whether tenkai can run functions of runtime r as local
// processes. Other valid runtimes (Java, .NET, Ruby) are accepted by the
// control plane but fail at invoke.
func Runnable(r string) bool {
	return strings.HasPrefix(r, "python3.") || strings.HasPrefix(r, "nodejs") || strings.HasPrefix(r, "provided")
}

func validateRuntime(r string) error {
	known := false
	for _, x := range runtimeEnum {
		if x == r {
			known = true
			break
		}
	}
	if !known {
		return edge.Validation("1 validation error detected: Value '%s' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [%s] or be a valid ARN",
			r, strings.Join(runtimeEnum, ", "))
	}
	if repl, ok := deprecated[r]; ok {
		return invalidParam("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (%s) while creating or updating functions.", r, repl)
	}
	return nil
}

func invalidParam(format string, args ...any) *edge.Error {
	return edge.Errorf("InvalidParameterValueException", format, args...)
}

func validateHandler(h string) error {
	if len(h) > 128 || strings.ContainsAny(h, " \t\r\n") {
		return edge.Validation("1 validation error detected: Value '%s' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+", h)
	}
	return nil
}

func validateRole(r string) error {
	if !reRole().MatchString(r) {
		return edge.Validation("1 validation error detected: Value '%s' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+", r)
	}
	return nil
}

func validateTimeout(t int) error {
	if t < 1 {
		return edge.Validation("1 validation error detected: Value '%d' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1", t)
	}
	if t > 900 {
		return invalidParam("Timeout value must be less than or equal to 900 seconds.")
	}
	return nil
}

func validateMemory(m int) error {
	if m < 128 {
		return edge.Validation("1 validation error detected: Value '%d' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128", m)
	}
	if m > 10240 {
		return invalidParam("'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to 10240")
	}
	return nil
}

func validateDescription(d string) error {
	if len(d) > 256 {
		return edge.Validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	return nil
}

// reservedEnv are the variables Lambda sets itself and refuses to let users set.
var reservedEnv = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true,
	"AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true,
	"LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

// validateEnv applies Lambda's rules: names start with a letter, no reserved
// keys, and at most 4 KB of JSON in total.
func validateEnv(env map[string]string) error {
	var reserved []string
	for k := range env {
		if reservedEnv[k] {
			reserved = append(reserved, k)
			continue
		}
		if !reEnvName().MatchString(k) {
			return edge.Validation("1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")
		}
	}
	if len(reserved) > 0 {
		sort.Strings(reserved)
		return invalidParam("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(reserved, ", "))
	}
	b, _ := json.Marshal(env)
	if len(b) > 4096 {
		return invalidParam("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %s", b)
	}
	return nil
}

func validateArchitectures(a []string) error {
	if len(a) > 1 {
		return edge.Validation("1 validation error detected: Value '[%s]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1", strings.Join(a, ", "))
	}
	for _, x := range a {
		if x != "x86_64" && x != "arm64" {
			return edge.Validation("1 validation error detected: Value '[%s]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]", x)
		}
	}
	return nil
}
