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
// that matches an event. It indexes the rules by field path and value, so the
// cost per event follows the number of fields and matching rules, not the
// number of rules held.
//
// The language is the one documented in the EventBridge user guide ("Creating
// event patterns", "Content filtering", "Comparison operators"): exact strings,
// numbers, booleans and null; arrays as OR; prefix, suffix and
// equals-ignore-case (alone and combined); anything-but (values, lists,
// prefix, suffix, equals-ignore-case, wildcard); numeric comparisons and
// ranges; exists; cidr (IPv4 and IPv6); wildcard; and $or. Validation errors
// follow the engine behind EventBridge, including its message texts.
package pattern
