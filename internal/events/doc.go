// Package events is Amazon EventBridge: event buses, rules matched by our own
// pattern engine (events/pattern), targets with input transformation and
// retries, schedules on the clock, connections and API destinations. Other
// services publish the events AWS services emit through PublishEvent.
package events
