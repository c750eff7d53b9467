package app

import "tenkai/internal/logs"

// Subscription filters deliver CloudWatch Logs events to Lambda.
var _ logs.FunctionInvoker = lambdaFunctions{}
