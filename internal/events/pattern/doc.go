// Package pattern compiles and evaluates Amazon EventBridge event patterns.
//
// A pattern is compiled once and matched against many events; an event is
// parsed once and matched against many patterns:
//
//	p, err := pattern.Compile([]byte(`{"source": ["aws.ec2"], "detail": {"state": [{"anything-but": "pending"}]}}`))
//	if err != nil {
//		return err // *pattern.Error, text as AWS's InvalidEventPatternException
//	}
//	ev, err := pattern.ParseEvent(body)
//	if err != nil {
//		return err
//	}
//	ok := p.MatchEvent(ev)
//
// A Set holds many named patterns (the rules of a bus) and returns every rule
// that matches an event. It indexes each rule under its most selective field,
// so the cost per event follows the event's fields and the candidate rules,
// not the number of rules held.
//
// The language is the one documented in the EventBridge user guide ("Creating
// event patterns", "Content filtering", "Comparison operators"): exact strings,
// numbers, booleans and null; arrays as OR; prefix, suffix and
// equals-ignore-case (alone and combined); anything-but (values, lists,
// prefix, suffix, equals-ignore-case, wildcard); numeric comparisons and
// ranges; exists; cidr (IPv4 and IPv6); wildcard; and $or. Validation errors
// follow the engine behind EventBridge, including its message texts.
//
// Semantics worth knowing, all as EventBridge behaves:
//
//   - Field paths join keys with dots, so {"a": {"b": …}} also matches an
//     event key "a.b". Arrays add nothing to a path: a pattern field matches
//     if any element of an event array matches.
//   - When pattern fields sit inside objects of an event array, they must all
//     be met within one element of that array.
//   - Numbers compare by value with six decimal places, within ±5.0e9
//     (1e2 equals 100). A number pattern outside that range still matches
//     the same literal text; numeric operators refuse it.
//   - Strings never equal numbers: "5" does not match 5.
//   - null is a value: [null] matches it, {"exists": true} matches it and
//     {"anything-but": …} matches it. An empty array or an object is not a
//     value: {"exists": false} matches a field holding one.
//   - An IP address written as a plain string matches other spellings of
//     the same address.
package pattern
