package app

import (
	"context"
	"time"

	"tenkai/internal/events"
	"tenkai/internal/logs"
)

// eventLogs lets EventBridge write to CloudWatch Logs targets.
type eventLogs struct{ l *logs.Service }

func (e eventLogs) WriteLog(ctx context.Context, account, region, group, stream string, at time.Time, message string) error {
	return e.l.Append(ctx, account, region, group, stream, []logs.Event{{Time: at, Message: message}})
}

var _ events.LogWriter = eventLogs{}
