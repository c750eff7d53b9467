package app

import (
	"net/http"

	"tenkai/internal/dynamodb"
	"tenkai/internal/events"
	"tenkai/internal/iam"
	"tenkai/internal/lambda"
	"tenkai/internal/lambda/runtime"
	"tenkai/internal/logs"
	"tenkai/internal/s3"
	"tenkai/internal/secretsmanager"
	"tenkai/internal/sfn"
	"tenkai/internal/sns"
	"tenkai/internal/sqs"
	"tenkai/internal/ssm"
	"tenkai/internal/sts"
	"tenkai/internal/webhooks"
)

// wire builds every service and connects them. It is the only place that
// knows every concrete service type.
func (a *App) wire() error {
	identity := iam.New(iam.Config{Store: a.Store, Clock: a.Clock, Logger: a.log})
	a.register(identity)
	a.register(sts.New(sts.Config{Store: a.Store, Clock: a.Clock, Logger: a.log, Directory: identity}))
	a.logs = logs.New(logs.Config{Store: a.Store, Clock: a.Clock, Logger: a.log, Functions: lambdaFunctions{a}})
	a.register(a.logs)
	queues := sqs.New(sqs.Config{Store: a.Store, Clock: a.Clock, Logger: a.log})
	a.s3 = s3.New(s3.Config{Store: a.Store, Clock: a.Clock, Logger: a.log, DataDir: a.cfg.DataDir, Events: s3Events{a}, Functions: lambdaFunctions{a},
		Queues: s3Queues{queues}, Topics: s3Topics{a}})
	a.register(a.s3)
	fnRuntime := runtime.New(runtime.Config{Endpoint: a.Endpoint, Logs: lambdaLogs{a.logs}, Clock: a.Clock, Logger: a.log,
		NodeSDKPath: a.nodeSDKDir(), Interpreters: a.cfg.Interpreters})
	a.lambda = lambda.New(lambda.Config{Store: a.Store, Clock: a.Clock, Logger: a.log, Executor: fnRuntime,
		Code: lambdaCode{a.s3}, Events: lambdaEvents{a}, DataDir: a.cfg.DataDir, Objects: lambdaObjects{a.s3}, Streams: lambdaStreams{a}, Queues: lambdaQueues{queues}, Topics: lambdaTopics{a}})
	a.register(a.lambda)
	a.register(a.newAPIGateway())
	a.Edge.HandleAdmin("GET /_tenkai/lambda/code/{file}", a.lambda.CodeHandler())
	a.register(queues)
	a.Edge.Register(queues.Query()) // SDKs older than SQS's move to awsJson
	a.sns = sns.New(sns.Config{Store: a.Store, Clock: a.Clock, Logger: a.log, Queues: snsQueues{queues}, Functions: lambdaFunctions{a}, Endpoint: a.Endpoint})
	a.register(a.sns)
	a.events = events.New(events.Config{Queues: eventQueues{queues}, Topics: eventTopics{a.sns}, Store: a.Store, Clock: a.Clock, Logger: a.log, Logs: eventLogs{a.logs}, Functions: lambdaFunctions{a}, Executions: sfnExecutions{a}, Durable: a.cfg.DataDir != ""})
	a.register(a.events)
	a.register(a.newCodePipeline())
	a.dynamodb = dynamodb.New(dynamodb.Config{Store: a.Store, Clock: a.Clock, Logger: a.log})
	a.register(a.dynamodb)
	a.register(a.dynamodb.Streams())
	a.sfn = sfn.New(sfn.Config{Store: a.Store, Clock: a.Clock, Logger: a.log, Functions: sfnFunctions{a}, Events: sfnEvents{a}, APIs: sfnAPIs{a}, Logs: sfnLogs{a.logs}, Objects: sfnObjects{a}})
	a.register(a.sfn)
	a.register(a.newCodeDeploy())
	a.register(ssm.New(ssm.Config{Store: a.Store, Clock: a.Clock, Logger: a.log}))
	a.register(secretsmanager.New(secretsmanager.Config{Store: a.Store, Clock: a.Clock, Logger: a.log}))
	a.Edge.HandleAdmin("GET /_tenkai/events/deliveries", a.events.Handler())
	a.webhooks = webhooks.New(webhooks.Config{Store: a.Store, Clock: a.Clock, Logger: a.log})
	a.Edge.HandleAdmin("/_tenkai/webhooks/", http.HandlerFunc(a.webhooks.Receive))
	a.Edge.HandleAdmin("GET /_tenkai/api/webhooks", http.HandlerFunc(a.webhooks.API))
	a.Edge.HandleAdmin("GET /_tenkai/api/webhooks/{name}", http.HandlerFunc(a.webhooks.API))
	return nil
}
