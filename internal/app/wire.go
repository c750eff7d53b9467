package app

// wire builds every service and connects them. It is the only place that
// knows every concrete service type.
func (a *App) wire() error {
	return nil
}
