// Package engine runs Step Functions executions of parsed Amazon States
// Language state machines: every state type in JSONPath and JSONata modes,
// variables, Retry and Catch, task tokens, history events as
// GetExecutionHistory reports them, and checkpoints to resume after a restart.
//
// The engine does no I/O itself: Task states are performed by Config.Tasks,
// time comes from Config.Clock, and history, checkpoints and the final result
// go to the Recorder given to Start.
//
//	e := engine.New(engine.Config{Clock: clk, Tasks: tasks})
//	x := e.Start(ctx, sm, info, input, rec)
//	res := x.Wait() // or rec.Done is called
//
// Values flowing between states are Go JSON data (see asl.DecodeJSON) and are
// never modified in place, so branches and iterations share them safely.
package engine
