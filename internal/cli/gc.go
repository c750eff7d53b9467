package cli

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// minGCHeap is the heap size below which tuneGC lets garbage accumulate.
const minGCHeap = 64 << 20

// tuneGC makes collections rarer while the live heap is small. Every request
// allocates a little, and with the few MiB a fresh server keeps live the
// default setting (collect when the heap doubles) collects many times a second
// under load, about a tenth of the server's CPU. After each collection it sets
// the percentage so that the next one starts at max(2 × live heap, minHeap):
// the default once the live heap passes minHeap/2, so large states cost no
// extra memory. An explicit GOGC in the environment is left alone, and idle
// memory is unchanged since an idle server allocates nothing.
func tuneGC(minHeap uint64) {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	g := &gcTuner{min: minHeap, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	g.adjust()
	g.arm()
}

type gcTuner struct {
	min    uint64
	sample []metrics.Sample // only touched by the finalizer goroutine after start
}

// sentinel is an object whose finalizer runs once per collection cycle; it
// holds a pointer so that it is never a tiny allocation, whose finalizer could
// be delayed by its neighbours.
type sentinel struct{ g *gcTuner }

func (g *gcTuner) arm() {
	runtime.SetFinalizer(&sentinel{g: g}, func(s *sentinel) {
		s.g.adjust()
		s.g.arm()
	})
}

func (g *gcTuner) adjust() {
	metrics.Read(g.sample)
	if g.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	debug.SetGCPercent(gcPercent(g.sample[0].Value.Uint64(), g.min))
}

// runtimeMinHeap is the runtime's own floor for the heap goal at GOGC=100;
// it scales with the percentage.
const runtimeMinHeap = 4 << 20

// gcPercent is the GC percentage that starts the next collection at
// max(2 × live, minHeap), and never lets the runtime's scaled floor pass minHeap.
func gcPercent(live, minHeap uint64) int {
	if live == 0 || minHeap <= 2*live {
		return 100
	}
	pct := int(minHeap*100/live) - 100
	return max(100, min(pct, int(minHeap*100/runtimeMinHeap)))
}
