// Package insights parses and runs a subset of the CloudWatch Logs Insights
// query language over log records.
//
//	q, err := insights.Parse(`fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc | limit 20`)
//	if err != nil {
//		return err // *insights.Error, sent as MalformedQueryException
//	}
//	rows := q.Run(records) // records: one Record per log event
//
// Commands: fields, display, filter, parse (glob and regex with named
// groups), stats (count, count_distinct, sum, avg, min, max, by expressions
// and bin()), sort, limit and dedup. Expressions: comparisons, like and
// not like with strings or /regex/, =~, in and not in, and, or, not,
// arithmetic, and the functions ispresent, isempty, isblank, strlen,
// tolower, toupper, trim, concat, abs, floor, ceil and bin. A Record holds
// the system fields (@timestamp, @message, @logStream, @log,
// @ingestionTime) and the fields discovered in JSON messages, flattened
// with dots.
package insights
