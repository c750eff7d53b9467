package ssm

import (
	"fmt"

	"tenkai/internal/edge"
)

// AWS answers a missing parameter with an empty message; so do we.
func errNotFound() *edge.Error { return edge.Errorf("ParameterNotFound", "") }

func errVersionNotFound(name string, sel string) *edge.Error {
	return edge.Errorf("ParameterVersionNotFound", "Systems Manager could not find version %s of %s. Verify the version and try again.", sel, name)
}

func errExists() *edge.Error {
	return edge.Errorf("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
}

// nameRules is AWS's message for a name that breaks the naming rules.
const nameRules = `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`

func errName() *edge.Error { return edge.Validation("%s", nameRules) }

func errHierarchy() *edge.Error {
	return edge.Errorf("HierarchyLevelLimitExceededException",
		"A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints for parameter names in the Amazon Web Services Systems Manager User Guide.")
}

// errConstraint is AWS's wording for a member failing a model constraint.
func errConstraint(value any, member, constraint string) *edge.Error {
	return edge.Validation("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

func errLength(value any, member string, min, max int) *edge.Error {
	if max > 0 {
		return errConstraint(value, member, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
	return errConstraint(value, member, fmt.Sprintf("Member must have length greater than or equal to %d", min))
}

func errFilterKey(format string, args ...any) *edge.Error {
	return edge.Errorf("InvalidFilterKey", format, args...)
}

func errFilterOption(format string, args ...any) *edge.Error {
	return edge.Errorf("InvalidFilterOption", format, args...)
}

func errFilterValue(format string, args ...any) *edge.Error {
	return edge.Errorf("InvalidFilterValue", format, args...)
}

func errNextToken() *edge.Error {
	return edge.Errorf("InvalidNextToken", "The specified token isn't valid.")
}

func errResourceID() *edge.Error {
	return edge.Errorf("InvalidResourceId", "The resource ID isn't valid. Verify that you entered the correct ID and try again.")
}

func errResourceType() *edge.Error {
	return edge.Errorf("InvalidResourceType", "The resource type isn't valid.")
}
