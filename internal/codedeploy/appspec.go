package codedeploy

import (
	"errors"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// AppSpec is the part of an AppSpec file a Lambda or ECS deployment uses.
type AppSpec struct {
	Version string          `json:"version"`
	Lambda  *LambdaResource `json:"lambda,omitempty"`
	ECS     *ECSResource    `json:"ecs,omitempty"`
	Hooks   []Hook          `json:"hooks,omitempty"`
}

// LambdaResource is an AWS::Lambda::Function resource: the alias whose
// traffic moves from CurrentVersion to TargetVersion.
type LambdaResource struct {
	Name           string `json:"name"`
	Alias          string `json:"alias"`
	CurrentVersion string `json:"currentVersion"`
	TargetVersion  string `json:"targetVersion"`
}

// ECSResource is an AWS::ECS::Service resource.
type ECSResource struct {
	TaskDefinition  string `json:"taskDefinition"`
	ContainerName   string `json:"containerName,omitempty"`
	ContainerPort   int    `json:"containerPort,omitempty"`
	PlatformVersion string `json:"platformVersion,omitempty"`
}

// Hook names the function run at a lifecycle event.
type Hook struct {
	Event    string `json:"event"`
	Function string `json:"function"`
}

// HookFor returns the function attached to event, or "".
func (a *AppSpec) HookFor(event string) string {
	if a == nil {
		return ""
	}
	for _, h := range a.Hooks {
		if h.Event == event {
			return h.Function
		}
	}
	return ""
}

// ParseAppSpec reads an AppSpec file in YAML or JSON (JSON is YAML).
func ParseAppSpec(b []byte) (*AppSpec, error) {
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("appspec: %w", err)
	}
	if raw == nil {
		return nil, errors.New("appspec: the file is empty")
	}
	spec := &AppSpec{Version: scalar(lookup(raw, "version"))}
	if spec.Version == "" {
		return nil, errors.New("appspec: version is missing")
	}
	res, ok := lookup(raw, "Resources").([]any)
	if !ok || len(res) == 0 {
		return nil, errors.New("appspec: Resources must be a list with one resource")
	}
	for _, item := range res {
		m, ok := item.(map[string]any)
		if !ok || len(m) != 1 {
			return nil, errors.New("appspec: each resource must be a map with one named entry")
		}
		for name, v := range m {
			body, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("appspec: resource %s must be a map", name)
			}
			props, _ := lookup(body, "Properties").(map[string]any)
			switch typ := scalar(lookup(body, "Type")); typ {
			case "AWS::Lambda::Function":
				l := &LambdaResource{Name: scalar(lookup(props, "Name")), Alias: scalar(lookup(props, "Alias")),
					CurrentVersion: scalar(lookup(props, "CurrentVersion")), TargetVersion: scalar(lookup(props, "TargetVersion"))}
				for field, v := range map[string]string{"Name": l.Name, "Alias": l.Alias, "CurrentVersion": l.CurrentVersion, "TargetVersion": l.TargetVersion} {
					if v == "" {
						return nil, fmt.Errorf("appspec: resource %s is missing Properties.%s", name, field)
					}
				}
				spec.Lambda = l
			case "AWS::ECS::Service":
				e := &ECSResource{TaskDefinition: scalar(lookup(props, "TaskDefinition")), PlatformVersion: scalar(lookup(props, "PlatformVersion"))}
				if e.TaskDefinition == "" {
					return nil, fmt.Errorf("appspec: resource %s is missing Properties.TaskDefinition", name)
				}
				if lb, ok := lookup(props, "LoadBalancerInfo").(map[string]any); ok {
					e.ContainerName = scalar(lookup(lb, "ContainerName"))
					e.ContainerPort, _ = strconv.Atoi(scalar(lookup(lb, "ContainerPort")))
				}
				spec.ECS = e
			default:
				return nil, fmt.Errorf("appspec: resource %s has unsupported Type %q", name, typ)
			}
		}
	}
	if spec.Lambda != nil && spec.ECS != nil {
		return nil, errors.New("appspec: a deployment updates either a Lambda function or an ECS service")
	}
	if hooks := lookup(raw, "Hooks"); hooks != nil {
		list, ok := hooks.([]any)
		if !ok {
			return nil, errors.New("appspec: Hooks must be a list")
		}
		for _, item := range list {
			m, ok := item.(map[string]any)
			if !ok {
				return nil, errors.New("appspec: each hook must be a map of event to function")
			}
			for ev, fn := range m {
				f := scalar(fn)
				if f == "" {
					return nil, fmt.Errorf("appspec: hook %s names no function", ev)
				}
				spec.Hooks = append(spec.Hooks, Hook{Event: ev, Function: f})
			}
		}
	}
	return spec, nil
}

// validHooks are the lifecycle events each platform accepts hooks for.
var validHooks = map[string][]string{
	platformLambda: {lcBeforeAllowTraffic, lcAfterAllowTraffic},
	platformECS:    {lcBeforeInstall, lcAfterInstall, lcAfterAllowTestTraffic, lcBeforeAllowTraffic, lcAfterAllowTraffic},
}

// check verifies that the spec fits the compute platform.
func (a *AppSpec) check(platform string) error {
	switch platform {
	case platformLambda:
		if a.Lambda == nil {
			return errors.New("The AppSpec file must name one AWS::Lambda::Function resource for a Lambda deployment.")
		}
	case platformECS:
		if a.ECS == nil {
			return errors.New("The AppSpec file must name one AWS::ECS::Service resource for an ECS deployment.")
		}
	}
	for _, h := range a.Hooks {
		ok := false
		for _, v := range validHooks[platform] {
			ok = ok || v == h.Event
		}
		if !ok {
			return fmt.Errorf("The AppSpec file names the lifecycle event %s, which %s deployments do not have.", h.Event, platform)
		}
	}
	return nil
}

// lookup reads a key case-insensitively on its first letter, as AppSpec
// files in the wild use both "version" and "Version".
func lookup(m map[string]any, key string) any {
	if m == nil {
		return nil
	}
	if v, ok := m[key]; ok {
		return v
	}
	alt := []byte(key)
	if alt[0] >= 'a' && alt[0] <= 'z' {
		alt[0] -= 'a' - 'A'
	} else if alt[0] >= 'A' && alt[0] <= 'Z' {
		alt[0] += 'a' - 'A'
	}
	return m[string(alt)]
}

// scalar renders a YAML scalar as a string ("" for anything else).
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}
