// Package codedeploy is AWS CodeDeploy for the Lambda and ECS compute
// platforms: applications, deployment groups, deployment configs and
// blue/green deployments with lifecycle hooks, traffic shifting on the
// clock and automatic rollback.
//
// A Lambda deployment moves an alias from the AppSpec's CurrentVersion to
// its TargetVersion: BeforeAllowTraffic runs first, then AllowTraffic
// shifts the alias's AdditionalVersionWeights step by step as the
// deployment config says (canary, linear or all at once), and
// AfterAllowTraffic runs once the alias points at TargetVersion alone.
//
// An ECS deployment runs no containers. It models the service's original
// (blue) and replacement (green) task sets and their traffic weights, and
// runs BeforeInstall, Install, AfterInstall, AllowTestTraffic,
// AfterAllowTestTraffic, BeforeAllowTraffic, AllowTraffic and
// AfterAllowTraffic. With deploymentReadyOption STOP_DEPLOYMENT it waits
// in status Ready for ContinueDeployment before rerouting production
// traffic; terminationWaitTimeInMinutes keeps the original task set until
// ContinueDeployment with TERMINATION_WAIT or the end of the wait.
//
// Each hook invokes its function with {"DeploymentId", "LifecycleEventHookExecutionId"}
// in the background (the engine never blocks on a function) and waits up
// to one hour (on the clock) for
// PutLifecycleEventHookExecutionStatus. A function error, a Failed status
// or the timeout fails the deployment; with automatic rollback on
// DEPLOYMENT_FAILURE (or StopDeployment with autoRollbackEnabled) a
// rollback deployment (creator "codeDeployRollback") moves the traffic
// back. State changes go to the default event bus as
// "CodeDeploy Deployment State-change Notification" events.
//
// Deployments are stored; Start resumes them after a restart, re-arming
// timers from their stored deadlines. Hooks keep waiting for their status;
// a hook whose function was still running when the process stopped is
// invoked again with the same execution id. Server (EC2/on-premises)
// deployments are accepted and fail with NO_INSTANCES: tenkai runs no
// instances.
//
// Other services start deployments with [Service.Deploy] and learn the
// outcome from [Service.Done]:
//
//	id, err := cd.Deploy(ctx, account, region, "app", "group",
//		codedeploy.Revision{S3Bucket: "artifacts", S3Key: "build.zip"}, "from pipeline")
//	if err != nil { ... }
//	res := <-cd.Done(account, region, id) // res.Status is Succeeded, Failed or Stopped
package codedeploy
