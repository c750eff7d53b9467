// Package expr parses and evaluates DynamoDB expressions: condition and
// filter expressions, key conditions, projections and update expressions,
// plus the legacy parameters (Expected, QueryFilter, ScanFilter,
// KeyConditions, AttributeUpdates, AttributesToGet) converted to the same
// trees. Errors are *attr.Error values worded exactly as DynamoDB words its
// ValidationException messages.
//
// One request's expressions share a Params, which resolves #names and
// :values and records their use; DynamoDB rejects names or values that no
// expression of the request uses. A service checks in DynamoDB's order:
//
//	err := expr.CheckParameters(exprParams, legacyParams, namesSet, valuesSet)
//	vals, err := expr.DecodeValues(req.ExpressionAttributeValues) // raw JSON map
//	p, err := expr.NewParams(req.ExpressionAttributeNames, vals)
//	upd, err := expr.ParseUpdate(req.UpdateExpression, p)
//	cond, err := expr.ParseCondition(req.ConditionExpression, p) // when given
//	err = p.CheckUnused()
//	err = upd.CheckKeyAttributes(hashKey, rangeKey)
//	...
//	if !cond.Eval(old) { /* ConditionalCheckFailedException */ }
//	res, err := upd.Apply(old) // res.Item is the new item; old is untouched
//
// Parse order for a request with several expressions is UpdateExpression,
// ConditionExpression, KeyConditionExpression, FilterExpression,
// ProjectionExpression; the first error wins, then CheckUnused.
//
// For Query, ParseKeyCondition checks the key condition against the key
// schema and returns the partition key value and a RangeCondition whose
// Bounds are sort-key encodings (attr.AppendKey) for a range scan.
//
// Left to the service layer, because they need the table: key value types
// against the schema ("Condition parameter type does not match schema
// type"), filters on key attributes (use Condition.Attributes) and item
// size after an update (attr.ItemSize, attr.MaxItemSize).
//
// Parsed expressions are immutable and safe for concurrent use; a Params
// belongs to one request.
package expr
