package jsonata

func fnFormatNumber(c *callCtx, args []any) (any, error)  { return undef, nil }
func fnFormatInteger(c *callCtx, args []any) (any, error) { return undef, nil }
func fnParseInteger(c *callCtx, args []any) (any, error)  { return undef, nil }
func fnToMillis(c *callCtx, args []any) (any, error)      { return undef, nil }
func fnFromMillis(c *callCtx, args []any) (any, error)    { return undef, nil }
func fnNow(c *callCtx, args []any) (any, error)           { return undef, nil }
func fnMillis(c *callCtx, args []any) (any, error)        { return undef, nil }
