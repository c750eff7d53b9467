package expr

import "strings"

// Param is one expression-related request parameter and whether the
// request set it.
type Param struct {
	Name string // e.g. "UpdateExpression", "Expected"
	Set  bool
}

// CheckParameters applies DynamoDB's checks on how a request combines its
// expression parameters, legacy parameters and ExpressionAttributeNames /
// ExpressionAttributeValues, before any expression is parsed. exprs and
// legacy list the operation's parameters in the order DynamoDB names them
// in messages:
//
//	PutItem, DeleteItem: ConditionExpression | Expected
//	UpdateItem:          UpdateExpression, ConditionExpression | AttributeUpdates, Expected
//	GetItem:             ProjectionExpression | AttributesToGet
//	Query:               ProjectionExpression, FilterExpression, KeyConditionExpression | AttributesToGet, QueryFilter, KeyConditions
//	Scan:                ProjectionExpression, FilterExpression | AttributesToGet, ScanFilter
//
// Query may combine legacy KeyConditions with the other expressions.
func CheckParameters(exprs, legacy []Param, namesSet, valuesSet bool) error {
	var usedExprs []string
	keyCondExpr := false
	for _, p := range exprs {
		if p.Set {
			usedExprs = append(usedExprs, p.Name)
			keyCondExpr = keyCondExpr || p.Name == "KeyConditionExpression"
		}
	}
	if len(usedExprs) > 0 {
		var usedLegacy []string
		for _, p := range legacy {
			if p.Set && (p.Name != "KeyConditions" || keyCondExpr) {
				usedLegacy = append(usedLegacy, p.Name)
			}
		}
		if len(usedLegacy) > 0 {
			return validationf("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
				strings.Join(usedLegacy, ", "), strings.Join(usedExprs, ", "))
		}
	}
	if namesSet && len(usedExprs) == 0 {
		return validationf("ExpressionAttributeNames can only be specified when using expressions")
	}
	if !valuesSet {
		return nil
	}
	var valueExprs []string
	for _, p := range exprs {
		if p.Name == "ProjectionExpression" {
			continue // takes no values
		}
		if p.Set {
			return nil
		}
		valueExprs = append(valueExprs, p.Name)
	}
	if len(valueExprs) == 0 {
		return nil
	}
	verb := "is"
	if len(valueExprs) > 1 {
		verb = "are"
	}
	return validationf("ExpressionAttributeValues can only be specified when using expressions: %s %s null", strings.Join(valueExprs, " and "), verb)
}
