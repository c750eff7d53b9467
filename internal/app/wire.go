package app

import (
	"tenkai/internal/logs"
)

// wire builds every service and connects them. It is the only place that
// knows every concrete service type.
func (a *App) wire() error {
	a.logs = logs.New(logs.Config{Store: a.Store, Clock: a.Clock, Logger: a.log})
	a.register(a.logs)
	return nil
}
