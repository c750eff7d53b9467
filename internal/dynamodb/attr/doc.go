// Package attr represents DynamoDB attribute values: their wire JSON, the
// validation DynamoDB applies to them, number normalisation, comparison, item
// size accounting and order-preserving key encodings.
//
// A Value is built with the constructors (S, N, B, Bool, Null, L, M, SS, NS,
// BS) or decoded from the wire format with encoding/json:
//
//	var it attr.Item
//	if err := json.Unmarshal([]byte(`{"id":{"S":"a"},"n":{"N":"1.50"}}`), &it); err != nil {
//		// err is an *attr.Error carrying DynamoDB's exact message
//	}
//	it["n"].Num() // "1.5"
//
// Numbers are kept in DynamoDB's canonical form (plain notation, no leading or
// trailing zeros), which is also the form DynamoDB returns. Values are treated
// as immutable once built: functions that change an item return a new one and
// share untouched sub-values.
package attr
