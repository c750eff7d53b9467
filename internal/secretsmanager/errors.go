package secretsmanager

import "tenkai/internal/edge"

func errNotFound() *edge.Error {
	return edge.Errorf("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

func errVersionNotFound(versionID string) *edge.Error {
	return edge.Errorf("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: %s", versionID)
}

func errMarkedForDeletion() *edge.Error {
	return edge.Errorf("InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
}

func errParam(format string, args ...any) *edge.Error {
	return edge.Errorf("InvalidParameterException", format, args...)
}

func errRequest(format string, args ...any) *edge.Error {
	return edge.Errorf("InvalidRequestException", format, args...)
}

func errNextToken() *edge.Error {
	return edge.Errorf("InvalidNextTokenException", "The NextToken value is invalid.")
}

// errConstraint is AWS's wording for a member failing a model constraint.
func errConstraint(value any, member, constraint string) *edge.Error {
	return edge.Validation("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}
