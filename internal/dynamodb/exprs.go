package dynamodb

import (
	"encoding/json"

	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/dynamodb/expr"
)

// exprInput holds the expression and legacy parameters an item operation
// may carry; each operation embeds it in its input.
type exprInput struct {
	ConditionExpression       *string                         `json:"ConditionExpression"`
	UpdateExpression          *string                         `json:"UpdateExpression"`
	ProjectionExpression      *string                         `json:"ProjectionExpression"`
	FilterExpression          *string                         `json:"FilterExpression"`
	KeyConditionExpression    *string                         `json:"KeyConditionExpression"`
	ExpressionAttributeNames  map[string]string               `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues map[string]json.RawMessage      `json:"ExpressionAttributeValues"`
	Expected                  map[string]expr.LegacyCondition `json:"Expected"`
	ConditionalOperator       string                          `json:"ConditionalOperator"`
	AttributeUpdates          map[string]expr.LegacyUpdate    `json:"AttributeUpdates"`
	AttributesToGet           []string                        `json:"AttributesToGet"`
	QueryFilter               map[string]expr.LegacyCondition `json:"QueryFilter"`
	ScanFilter                map[string]expr.LegacyCondition `json:"ScanFilter"`
	KeyConditions             map[string]expr.LegacyCondition `json:"KeyConditions"`
}

// parsedExprs are one request's parsed expressions; nil members were not
// given.
type parsedExprs struct {
	cond   *expr.Condition
	upd    *expr.Update
	proj   *expr.Projection
	filter *expr.Condition
	key    *expr.KeyCondition
}

// exprKind selects which parameters an operation takes.
type exprKind int

const (
	kindPut exprKind = iota // PutItem, DeleteItem, ConditionCheck
	kindUpdate
	kindGet
	kindQuery
	kindScan
)

func set(s *string) bool { return s != nil }

// parse checks and parses the request's expressions in DynamoDB's order.
// hash and rng are the key schema a key condition is checked against.
func (e *exprInput) parse(kind exprKind, hash, rng string) (*parsedExprs, error) {
	var exprs, legacy []expr.Param
	switch kind {
	case kindPut:
		exprs = []expr.Param{{Name: "ConditionExpression", Set: set(e.ConditionExpression)}}
		legacy = []expr.Param{{Name: "Expected", Set: e.Expected != nil}}
	case kindUpdate:
		exprs = []expr.Param{{Name: "UpdateExpression", Set: set(e.UpdateExpression)}, {Name: "ConditionExpression", Set: set(e.ConditionExpression)}}
		legacy = []expr.Param{{Name: "AttributeUpdates", Set: e.AttributeUpdates != nil}, {Name: "Expected", Set: e.Expected != nil}}
	case kindGet:
		exprs = []expr.Param{{Name: "ProjectionExpression", Set: set(e.ProjectionExpression)}}
		legacy = []expr.Param{{Name: "AttributesToGet", Set: e.AttributesToGet != nil}}
	case kindQuery:
		exprs = []expr.Param{{Name: "ProjectionExpression", Set: set(e.ProjectionExpression)}, {Name: "FilterExpression", Set: set(e.FilterExpression)}, {Name: "KeyConditionExpression", Set: set(e.KeyConditionExpression)}}
		legacy = []expr.Param{{Name: "AttributesToGet", Set: e.AttributesToGet != nil}, {Name: "QueryFilter", Set: e.QueryFilter != nil}, {Name: "KeyConditions", Set: e.KeyConditions != nil}}
	case kindScan:
		exprs = []expr.Param{{Name: "ProjectionExpression", Set: set(e.ProjectionExpression)}, {Name: "FilterExpression", Set: set(e.FilterExpression)}}
		legacy = []expr.Param{{Name: "AttributesToGet", Set: e.AttributesToGet != nil}, {Name: "ScanFilter", Set: e.ScanFilter != nil}}
	}
	if err := expr.CheckParameters(exprs, legacy, e.ExpressionAttributeNames != nil, e.ExpressionAttributeValues != nil); err != nil {
		return nil, err
	}
	var vals map[string]attr.Value
	if e.ExpressionAttributeValues != nil {
		v, err := expr.DecodeValues(e.ExpressionAttributeValues)
		if err != nil {
			return nil, err
		}
		vals = v
	}
	p, err := expr.NewParams(e.ExpressionAttributeNames, vals)
	if err != nil {
		return nil, err
	}
	out := &parsedExprs{}
	if kind == kindUpdate {
		if e.UpdateExpression != nil {
			if out.upd, err = expr.ParseUpdate(*e.UpdateExpression, p); err != nil {
				return nil, err
			}
		} else if e.AttributeUpdates != nil {
			if out.upd, err = expr.ConvertAttributeUpdates(e.AttributeUpdates); err != nil {
				return nil, err
			}
		}
	}
	if kind == kindPut || kind == kindUpdate {
		if e.ConditionExpression != nil {
			if out.cond, err = expr.ParseCondition(*e.ConditionExpression, p); err != nil {
				return nil, err
			}
		} else if e.Expected != nil {
			if out.cond, err = expr.ConvertExpected(e.Expected, e.ConditionalOperator); err != nil {
				return nil, err
			}
		}
	}
	if kind == kindQuery {
		switch {
		case e.KeyConditionExpression != nil:
			out.key, err = expr.ParseKeyCondition(*e.KeyConditionExpression, p, hash, rng)
		case e.KeyConditions != nil:
			out.key, err = expr.ConvertKeyConditions(e.KeyConditions, hash, rng)
		default:
			err = validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
		}
		if err != nil {
			return nil, err
		}
	}
	if kind == kindQuery || kind == kindScan {
		legacyFilter := e.QueryFilter
		if kind == kindScan {
			legacyFilter = e.ScanFilter
		}
		if e.FilterExpression != nil {
			if out.filter, err = expr.ParseFilter(*e.FilterExpression, p); err != nil {
				return nil, err
			}
		} else if legacyFilter != nil {
			if out.filter, err = expr.ConvertFilter(legacyFilter, e.ConditionalOperator); err != nil {
				return nil, err
			}
		}
	}
	if kind == kindGet || kind == kindQuery || kind == kindScan {
		if e.ProjectionExpression != nil {
			if out.proj, err = expr.ParseProjection(*e.ProjectionExpression, p); err != nil {
				return nil, err
			}
		} else if len(e.AttributesToGet) > 0 {
			if out.proj, err = expr.NewProjection(e.AttributesToGet); err != nil {
				return nil, err
			}
		}
	}
	if err := p.CheckUnused(); err != nil {
		return nil, err
	}
	return out, nil
}
