package expr_test

import (
	"testing"

	"tenkai/internal/dynamodb/expr"
)

func TestCheckParameters(t *testing.T) {
	p := func(name string, set bool) expr.Param { return expr.Param{Name: name, Set: set} }
	tests := []struct {
		name          string
		exprs, legacy []expr.Param
		names, values bool
		want          string
	}{
		{name: "update mixes", exprs: []expr.Param{p("UpdateExpression", true), p("ConditionExpression", false)}, legacy: []expr.Param{p("AttributeUpdates", false), p("Expected", true)},
			want: "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {UpdateExpression}"},
		{name: "values without expressions", exprs: []expr.Param{p("UpdateExpression", false), p("ConditionExpression", false)}, legacy: []expr.Param{p("AttributeUpdates", true)}, values: true,
			want: "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null"},
		{name: "put values without condition", exprs: []expr.Param{p("ConditionExpression", false)}, values: true,
			want: "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"},
		{name: "scan values with projection only", exprs: []expr.Param{p("ProjectionExpression", true), p("FilterExpression", false)}, values: true,
			want: "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null"},
		{name: "names without expressions", exprs: []expr.Param{p("ConditionExpression", false)}, names: true,
			want: "ExpressionAttributeNames can only be specified when using expressions"},
		{name: "query KeyConditions with filter", exprs: []expr.Param{p("ProjectionExpression", false), p("FilterExpression", true), p("KeyConditionExpression", false)}, legacy: []expr.Param{p("AttributesToGet", false), p("QueryFilter", false), p("KeyConditions", true)}, values: true},
		{name: "query KeyConditions with key expression", exprs: []expr.Param{p("KeyConditionExpression", true)}, legacy: []expr.Param{p("KeyConditions", true)},
			want: "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}"},
		{name: "fine", exprs: []expr.Param{p("UpdateExpression", true)}, names: true, values: true},
	}
	for _, tc := range tests {
		err := expr.CheckParameters(tc.exprs, tc.legacy, tc.names, tc.values)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: CheckParameters = %q; want %q", tc.name, got, tc.want)
		}
	}
}
