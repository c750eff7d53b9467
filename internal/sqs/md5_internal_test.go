package sqs

import "testing"

// A digest AWS itself computed, from a published SQS event delivered to a
// Lambda function, recomputed here.
func TestAttrsMD5MatchesAWS(t *testing.T) {
	str := func(v string) *string { return &v }
	for _, tc := range []struct {
		attrs map[string]attrValue
		want  string
	}{
		{map[string]attrValue{"sample-attribute": {DataType: "String", StringValue: str("sample-value")}}, "7c815262be77a62f56671125069ca888"},
		{nil, ""},
	} {
		if got := attrsMD5(tc.attrs); got != tc.want {
			t.Errorf("attrsMD5(%v) = %s; want %s", tc.attrs, got, tc.want)
		}
	}
}
