package engine

import (
	"context"
	"encoding/json"
	"sync"

	"tenkai/internal/sfn/asl"
)

// stateInput computes the input Parallel and Map states hand on:
// InputPath+Parameters in JSONPath mode, Arguments in JSONata mode.
func (x *Execution) stateInput(ctx context.Context, v *env, input any, useParams bool) (eff, handed any, f *failure) {
	st := v.st
	if ata(st) {
		if st.Arguments != nil {
			handed, f = v.jeval(ctx, st.Arguments, v.states(input, nil, nil, false, false), "Arguments")
			return input, handed, f
		}
		return input, input, nil
	}
	if eff, f = v.applyPath(st.InputPath, input); f != nil {
		return nil, nil, f
	}
	handed = eff
	if useParams && st.Parameters != nil {
		handed, f = v.template(st.Parameters, eff, "Parameters")
	}
	return eff, handed, f
}

func (x *Execution) runParallel(ctx context.Context, v *env, input any, th *thread) (any, string, *failure) {
	x.enter(v, th, "Parallel", input)
	_, branchInput, f := x.stateInput(ctx, v, input, true)
	if f != nil {
		return nil, "", f
	}
	result, f := x.retrying(ctx, v, func(int) (any, *failure) {
		if mv, mf, ok := x.test.mock(); ok {
			return mv, mf
		}
		return x.parallelAttempt(ctx, v, th, branchInput)
	})
	if f != nil && f != errAbort && !f.terminal() {
		// Recorded once the retries are spent: a retried attempt just starts again.
		x.emit(th, "ParallelStateFailed", nil)
	}
	if f == nil {
		var out any
		var next string
		if out, next, f = x.complete(ctx, v, th, "Parallel", input, result); f == nil {
			return out, next, nil
		}
	}
	if f == errAbort {
		return nil, "", f
	}
	out, next, f, _ := x.catch(ctx, v, th, "Parallel", input, f)
	return out, next, f
}

func (x *Execution) parallelAttempt(ctx context.Context, v *env, th *thread, input any) (any, *failure) {
	st := v.st
	startID := x.emit(th, "ParallelStateStarted", nil)
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]any, len(st.Branches))
	threads := make([]*thread, len(st.Branches))
	var mu sync.Mutex
	var first *failure
	var wg sync.WaitGroup
	for i, b := range st.Branches {
		bth := th.child(startID)
		threads[i] = bth
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, f := x.runMachine(bctx, b, b.StartAt, input, bth, &scope{parent: v.sc}, nil, false)
			if f != nil {
				mu.Lock()
				if f != errAbort && (first == nil || f.terminal() && !first.terminal()) {
					first = f
				}
				mu.Unlock()
				cancel()
				return
			}
			results[i] = out
		}()
	}
	wg.Wait()
	joinThreads(th, startID, threads)
	if ctx.Err() != nil {
		return nil, errAbort
	}
	if first != nil {
		return nil, first
	}
	x.emitDetached(th, "ParallelStateSucceeded", nil)
	return results, nil
}

// joinThreads continues th after concurrent branches or iterations: the
// next event follows the latest event any of them recorded.
func joinThreads(th *thread, start int64, threads []*thread) {
	th.last = start
	for _, t := range threads {
		if t != nil && t.last > th.last {
			th.last = t.last
		}
	}
}

// maxInlineConcurrency bounds iterations running at once when MaxConcurrency is 0.
const maxInlineConcurrency = 40

func (x *Execution) runMap(ctx context.Context, v *env, input any, th *thread) (any, string, *failure) {
	st := v.st
	x.enter(v, th, "Map", input)
	eff, _, f := x.stateInput(ctx, v, input, false)
	if f != nil {
		return nil, "", f
	}
	items, f := x.mapItems(ctx, v, input, eff)
	if f != nil {
		if !f.terminal() {
			x.emit(th, "MapStateFailed", nil)
		}
		out, next, f, _ := x.catch(ctx, v, th, "Map", input, f)
		return out, next, f
	}
	x.note(func(d *InspectionData) *string { return &d.AfterItemsPath }, items)
	result, f := x.retrying(ctx, v, func(int) (any, *failure) {
		if x.test != nil {
			x.inspectMap(ctx, v, input, eff, items)
		}
		if mv, mf, ok := x.test.mock(); ok {
			return mv, mf
		}
		return x.mapAttempt(ctx, v, th, input, eff, items)
	})
	if f != nil && f != errAbort && !f.terminal() {
		x.emit(th, "MapStateFailed", nil)
	}
	if f == nil {
		var out any
		var next string
		if out, next, f = x.complete(ctx, v, th, "Map", input, result); f == nil {
			return out, next, nil
		}
	}
	if f == errAbort {
		return nil, "", f
	}
	out, next, f, _ := x.catch(ctx, v, th, "Map", input, f)
	_ = st
	return out, next, f
}

// mapItems selects the items to iterate over.
func (x *Execution) mapItems(ctx context.Context, v *env, input, eff any) ([]any, *failure) {
	st := v.st
	var val any = eff
	switch {
	case st.ItemReader != nil:
		return x.readItems(ctx, v, eff)
	case ata(st):
		val = input
		if st.Items != nil {
			var f *failure
			if val, f = v.jeval(ctx, st.Items, v.states(input, nil, nil, false, false), "Items"); f != nil {
				return nil, f
			}
		}
	case st.ItemsPath.Set && !st.ItemsPath.Null:
		var err error
		if val, err = v.get(st.ItemsPath.Path, eff); err != nil {
			return nil, v.runtime("Invalid path '%s' : No results for path: %s", st.ItemsPath.Path.Src, st.ItemsPath.Path.Normalized())
		}
	}
	arr, ok := val.([]any)
	if !ok {
		if ata(st) {
			return nil, &failure{name: "States.QueryEvaluationError", cause: v.prefix() + " The Items field must evaluate to a JSON array but was " + encode(val)}
		}
		return nil, v.runtime("Item input '%s' is not a JSON array", encode(val))
	}
	return arr, nil
}

// inspectMap fills TestState's Map inspection data.
func (x *Execution) inspectMap(ctx context.Context, v *env, input, eff any, items []any) {
	sel := make([]any, 0, len(items))
	for i, it := range items {
		s, f := x.selectItem(ctx, v, input, eff, i, it)
		if f != nil {
			return
		}
		sel = append(sel, s)
	}
	if v.st.ItemSelector != nil || v.st.JItemSelector != nil || v.st.Parameters != nil && !ata(v.st) {
		x.test.insp.AfterItemSelector = encode(sel)
	}
	if v.st.ItemBatcher != nil {
		if b, f := x.batch(ctx, v, input, eff, items); f == nil {
			x.test.insp.AfterItemBatcher = encode(b)
		}
	}
	conc, tol, hasTol, f := x.mapLimits(ctx, v, input, eff, len(items))
	if f != nil {
		return
	}
	if v.st.MaxConcurrency > 0 || v.st.MaxConcurrencyPath != nil || v.st.JMaxConcurrency != nil {
		x.test.insp.MaxConcurrency = &conc
	}
	if hasTol {
		if v.st.HasToleratedFailurePercentage || v.st.ToleratedFailurePercentagePath != nil {
			p := v.st.ToleratedFailurePercentage
			x.test.insp.ToleratedFailurePercentage = &p
		}
		if v.st.HasToleratedFailureCount || v.st.ToleratedFailureCountPath != nil {
			x.test.insp.ToleratedFailureCount = &tol
		}
	}
}

// readItems reads a distributed Map's items through Tasks.
func (x *Execution) readItems(ctx context.Context, v *env, eff any) ([]any, *failure) {
	if x.test != nil && len(x.test.opts.Config.MapItemReaderData) > 0 {
		val, err := asl.DecodeJSON(x.test.opts.Config.MapItemReaderData)
		items, ok := val.([]any)
		if err != nil || !ok {
			return nil, fail("States.ItemReaderFailed", "The mapItemReaderData is not a JSON array")
		}
		return items, nil
	}
	reader, _ := v.st.ItemReader.(*asl.Object)
	if reader == nil {
		reader = asl.NewObject(0)
	}
	rv, _ := reader.Get("Resource")
	res, _ := rv.(string)
	params, _ := reader.Get("Parameters")
	if params == nil {
		params, _ = reader.Get("Arguments")
	}
	if params != nil {
		if ata(v.st) {
			if jt, err := asl.CompileJSONata(params); err == nil {
				p, f := v.jeval(ctx, jt, v.states(eff, nil, nil, false, false), "ItemReader")
				if f != nil {
					return nil, f
				}
				params = p
			}
		} else if t, err := asl.CompileTemplate(params); err == nil {
			p, f := v.template(t, eff, "ItemReader")
			if f != nil {
				return nil, f
			}
			params = p
		}
	}
	in := asl.ObjectOf("Parameters", params)
	if rc, ok := reader.Get("ReaderConfig"); ok {
		in.Set("ReaderConfig", rc)
	}
	if x.e.tasks == nil {
		return nil, fail("States.ItemReaderFailed", "No task runner is configured to read items from %s", res)
	}
	raw, err := x.e.tasks.Run(ctx, &TaskCall{Resource: res, Input: encodeRaw(in), Execution: x.info, StateName: v.st.Name})
	if err != nil {
		if te, ok := err.(*TaskError); ok {
			return nil, fail("States.ItemReaderFailed", "%s: %s", te.Code, te.Cause)
		}
		return nil, fail("States.ItemReaderFailed", "%v", err)
	}
	var items []any
	val, derr := asl.DecodeJSON(raw)
	items, ok := val.([]any)
	if derr != nil || !ok {
		return nil, fail("States.ItemReaderFailed", "The item reader did not return a JSON array")
	}
	return items, nil
}

// mapLimits resolves MaxConcurrency and the tolerated failures.
func (x *Execution) mapLimits(ctx context.Context, v *env, input, eff any, n int) (conc int, tolerated int, hasTol bool, f *failure) {
	st := v.st
	mc := st.MaxConcurrency
	states := v.states(input, nil, nil, false, false)
	if st.MaxConcurrencyPath != nil || st.JMaxConcurrency != nil {
		if mc, f = v.seconds(ctx, 0, st.MaxConcurrencyPath, st.JMaxConcurrency, eff, states, "MaxConcurrency"); f != nil {
			return
		}
	}
	conc = int(mc)
	if conc <= 0 || conc > maxInlineConcurrency {
		conc = maxInlineConcurrency
	}
	tolerated = 0
	if st.HasToleratedFailureCount || st.ToleratedFailureCountPath != nil {
		hasTol = true
		c := st.ToleratedFailureCount
		if st.ToleratedFailureCountPath != nil {
			val, err := v.get(st.ToleratedFailureCountPath, eff)
			n, ok := asInt(val)
			if err != nil || !ok || n < 0 {
				return 0, 0, false, v.runtime("The ToleratedFailureCountPath field does not reference a non-negative integer")
			}
			c = n
		}
		tolerated = int(c)
	}
	if st.HasToleratedFailurePercentage || st.ToleratedFailurePercentagePath != nil {
		pct := st.ToleratedFailurePercentage
		if st.ToleratedFailurePercentagePath != nil {
			val, err := v.get(st.ToleratedFailurePercentagePath, eff)
			p, ok := asl.ToFloat(val)
			if err != nil || !ok || p < 0 || p > 100 {
				return 0, 0, false, v.runtime("The ToleratedFailurePercentagePath field does not reference a number between 0 and 100")
			}
			pct = p
		}
		byPct := int(pct / 100 * float64(n))
		if !hasTol || byPct > tolerated {
			tolerated = byPct
		}
		hasTol = true
	}
	return conc, tolerated, hasTol, nil
}

func (x *Execution) mapAttempt(ctx context.Context, v *env, th *thread, input, eff any, items []any) (any, *failure) {
	st := v.st
	selected := false
	if st.ItemBatcher != nil {
		var f *failure
		if items, f = x.batch(ctx, v, input, eff, items); f != nil {
			return nil, f
		}
		selected = true
	}
	conc, tolerated, hasTol, f := x.mapLimits(ctx, v, input, eff, len(items))
	if f != nil {
		return nil, f
	}
	startID := x.emit(th, "MapStateStarted", &MapStateStartedEventDetails{Length: len(items)})
	distributed := st.Processor.ProcessorMode == "DISTRIBUTED"
	if distributed {
		// The iterations are child workflows: the parent records the run only.
		startID = x.emit(th, "MapRunStarted", &MapRunStartedEventDetails{MapRunArn: x.mapRunARN(st)})
	}
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]any, len(items))
	threads := make([]*thread, len(items))
	var mu sync.Mutex
	var first *failure
	failures := 0
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i, item := range items {
		select {
		case sem <- struct{}{}:
		case <-mctx.Done():
		}
		if mctx.Err() != nil {
			break
		}
		ith := th.child(startID)
		if distributed {
			ith.silent = true
		}
		threads[i] = ith
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			x.emit(ith, "MapIterationStarted", &MapIterationEventDetails{Name: st.Name, Index: i})
			out, f := x.iteration(mctx, v, ith, input, eff, i, item, selected)
			switch {
			case f == nil:
				results[i] = out
				x.emit(ith, "MapIterationSucceeded", &MapIterationEventDetails{Name: st.Name, Index: i})
			case f == errAbort:
				x.emitDetached(ith, "MapIterationAborted", &MapIterationEventDetails{Name: st.Name, Index: i})
			case f.terminal():
				mu.Lock()
				if first == nil || !first.terminal() {
					first = f
				}
				mu.Unlock()
				cancel()
			default:
				x.emitDetached(ith, "MapIterationFailed", &MapIterationEventDetails{Name: st.Name, Index: i})
				mu.Lock()
				failures++
				results[i] = asl.ObjectOf("Error", f.name, "Cause", f.cause)
				if first == nil && (!hasTol || failures > tolerated) {
					first = f
					if hasTol {
						first = &failure{name: "States.ExceedToleratedFailureThreshold", cause: "The specified tolerated failure threshold was exceeded"}
					}
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	joinThreads(th, startID, threads)
	if ctx.Err() != nil {
		return nil, errAbort
	}
	if first != nil {
		if !first.terminal() && distributed {
			x.emitDetached(th, "MapRunFailed", &ErrorDetails{Error: first.name, Cause: first.cause})
		}
		return nil, first
	}
	if distributed {
		// AWS chains MapStateSucceeded to MapRunSucceeded, and keeps both off
		// the chain MapStateExited follows.
		t := *th
		x.emit(&t, "MapRunSucceeded", nil)
		x.emit(&t, "MapStateSucceeded", nil)
		return results, nil
	}
	x.emitDetached(th, "MapStateSucceeded", nil)
	return results, nil
}

// mapRunARN names a distributed Map's run:
// arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID (LABEL defaults to the state name).
func (x *Execution) mapRunARN(st *asl.State) string {
	label := st.Label
	if label == "" {
		label = st.Name
	}
	return "arn:aws:states:" + x.info.Region + ":" + x.info.Account + ":mapRun:" + x.info.StateMachineName + "/" + label + ":" + x.e.newID()
}

// iteration runs the item processor for one item.
func (x *Execution) iteration(ctx context.Context, v *env, th *thread, input, eff any, index int, item any, selected bool) (any, *failure) {
	in, f := item, (*failure)(nil)
	if !selected {
		in, f = x.selectItem(ctx, v, input, eff, index, item)
	}
	if f != nil {
		return nil, f
	}
	p := v.st.Processor
	return x.runMachine(ctx, p, p.StartAt, in, th, &scope{parent: v.sc}, nil, false)
}

// selectItem applies ItemSelector (or the legacy Parameters) to one item.
func (x *Execution) selectItem(ctx context.Context, v *env, input, eff any, index int, item any) (any, *failure) {
	st := v.st
	iv := *v
	iv.item = &mapItem{index: index, value: item}
	iv.ctxObj = nil
	iv.th = nil // selection failures are recorded by the iteration
	in := item
	var f *failure
	switch {
	case st.JItemSelector != nil:
		in, f = iv.jeval(ctx, st.JItemSelector, iv.states(input, nil, nil, false, false), "ItemSelector")
	case st.ItemSelector != nil:
		in, f = iv.template(st.ItemSelector, eff, "ItemSelector")
	case st.Parameters != nil && !ata(st):
		in, f = iv.template(st.Parameters, eff, "Parameters")
	}
	return in, f
}

// batch groups selected items as ItemBatcher asks: each batch is
// {"Items": [...]} plus "BatchInput" when given.
func (x *Execution) batch(ctx context.Context, v *env, input, eff any, items []any) ([]any, *failure) {
	cfg, _ := v.st.ItemBatcher.(*asl.Object)
	if cfg == nil {
		cfg = asl.NewObject(0)
	}
	size := int64(0)
	if mv, _ := cfg.Get("MaxItemsPerBatch"); mv != nil {
		if n, ok := asInt(mv); ok {
			size = n
		}
	}
	if pv, _ := cfg.Get("MaxItemsPerBatchPath"); pv != nil {
		p, _ := pv.(string)
		if pth, err := asl.CompilePath(p); err == nil {
			val, err := v.get(pth, eff)
			n, ok := asInt(val)
			if err != nil || !ok || n <= 0 {
				return nil, v.runtime("The MaxItemsPerBatchPath field does not reference a positive integer: %s", p)
			}
			size = n
		}
	}
	if size <= 0 {
		size = int64(len(items))
	}
	batchInput, hasBI := cfg.Get("BatchInput")
	if hasBI {
		if t, err := asl.CompileTemplate(batchInput); err == nil && !ata(v.st) {
			var f *failure
			if batchInput, f = v.template(t, eff, "BatchInput"); f != nil {
				return nil, f
			}
		}
	}
	var out []any
	for i := 0; i < len(items); i += int(size) {
		var sel []any
		for j := i; j < len(items) && j < i+int(size); j++ {
			s, f := x.selectItem(ctx, v, input, eff, j, items[j])
			if f != nil {
				return nil, f
			}
			sel = append(sel, s)
		}
		b := asl.NewObject(2)
		if hasBI {
			b.Set("BatchInput", batchInput)
		}
		b.Set("Items", sel)
		out = append(out, b)
	}
	return out, nil
}

var _ = json.Valid
