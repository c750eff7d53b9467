// Package filter compiles and matches CloudWatch Logs filter patterns, the
// syntax FilterLogEvents, metric filters and subscription filters share.
//
//	p, err := filter.Compile(`{ $.level = "ERROR" && $.latency > 100 }`)
//	if err != nil {
//		return err // *filter.Error, sent as InvalidParameterException
//	}
//	ok := p.Match(message)
//
// Four forms are understood, as the CloudWatch Logs user guide describes them
// ("Filter pattern syntax for metric filters, subscription filters, filter log
// events, and Live Tail"):
//
//   - terms: `ERROR ARGUMENTS` (all terms), `?ERROR ?WARN` (any term),
//     `"INTERNAL SERVER ERROR"` (exact phrase), `ERROR -ARGUMENTS` (exclusion);
//     an empty or blank pattern matches every event;
//   - regular expressions: `%ERROR [0-9]{3}%`;
//   - JSON: `{ $.eventType = "UpdateTrail" }` with =, !=, <, >, <=, >=, &&, ||,
//     parentheses, * wildcards in values, IS NULL, IS TRUE, IS FALSE and
//     NOT EXISTS, selectors with .member and [index];
//   - space-delimited: `[ip, user, ..., status = 4*, bytes > 1000]`.
//
// Terms are case sensitive. An unquoted term matches a whole word of the
// message (its ends must not touch a letter, digit or underscore); a quoted
// phrase matches anywhere.
package filter
