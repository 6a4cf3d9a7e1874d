package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// minParallelFlops is the smallest GEMM (2·m·n·k floating-point operations)
// that is split between workers. Waking a parked worker costs microseconds
// on bare metal and far more on a virtual machine, whose idle virtual CPU
// must be scheduled again: measured on a 2-core KVM guest (2026-11-28),
// (64×256)·(256×256), 8.4 MFLOP, took about 130 µs on one core and 170 µs
// split over two; the split starts to pay at about 32 MFLOP ((64×512)·
// (512×512): 60 vs 76 GFLOP/s). The recurrent layers split their per-step
// products by batch halves themselves; what reaches the pool are the large
// products over all time steps.
const minParallelFlops = 1 << 25

// minParallelWords is the smallest GEMM, counted by the elements of A, B
// and C, that is split between workers whatever its flops: a product with
// two or four columns, such as a readout of T·B×N activity or its
// gradients, does a few flops per element read and is bound by memory,
// which two cores stream faster than one (the readout N = 512 → 2 over
// T·B = 12 800 rows, 6.6 million elements and 26 MFLOP, took 1.6–2.0 ms
// on one core of a Zen 4).
const minParallelWords = 1 << 20

// A Pool is a bounded set of worker goroutines that Gemm splits large
// problems over, and that Run gives the parts of other jobs to (the batch
// halves of the recurrent layers), together with the per-goroutine packing
// buffers.
//
// The workers are started on the first call that needs them. After each part
// a worker polls for the next one for workerSpin, then in short sleeps for up
// to workerIdle, then waits on a channel, using no CPU, until Close. A call
// never uses more workers than min(Workers, GOMAXPROCS); the calling
// goroutine does the first share itself.
// The split is a pure function of the shape, the kernel and the worker count,
// and it never changes the floating-point operations done for an element of
// C, so results are bitwise identical however the work is split.
//
// A Pool is safe for concurrent use.
type Pool struct {
	workers int
	start   sync.Once
	tasks   chan poolTask

	// Buffers and job records kept for reuse (see freeList), up to four
	// per worker: the goroutines that may be inside a GEMM at once are the
	// pool's workers and the callers (the goroutines of the networks being
	// trained). A float32 AVX-512 workspace is about 640 KB.
	runs *freeList[*runJob]
	// parks counts the times a worker has waited on the task channel
	// (next), for the tests.
	parks atomic.Int64
	f32   typedLists[float32]
	f64   typedLists[float64]
}

// typedLists are a pool's free lists for one element type.
type typedLists[E float32 | float64] struct {
	ws      *freeList[*workspace[E]]
	jobs    *freeList[*gemmJob[E]]
	scratch *freeList[*[]E] // the transposed results of gemmSwapped
	made    atomic.Int32    // workspaces created
}

// workspace takes a workspace fitted to kern from the free list, or makes
// one.
func (l *typedLists[E]) workspace(kern *kernel[E]) *workspace[E] {
	ws := l.ws.get(func() *workspace[E] {
		l.made.Add(1)
		return new(workspace[E])
	})
	ws.fit(kern)
	return ws
}

// reserve makes sure that parts workspaces exist before a product runs.
// Which goroutines end up inside products at once depends on the scheduler
// (a busy worker's part may run on the caller), so without it a second
// workspace could first be needed many steps into a steady state and be
// allocated there (TestTrainStepNoAllocs saw 640 KB now and then on a
// loaded machine).
func (l *typedLists[E]) reserve(parts int, kern *kernel[E]) {
	if int(l.made.Load()) >= parts {
		return
	}
	var held [maxReserve]*workspace[E]
	n := min(parts, maxReserve)
	for i := range n {
		held[i] = l.workspace(kern)
	}
	for _, ws := range held[:n] {
		l.ws.put(ws)
	}
}

// maxReserve bounds the workspaces reserve makes at once.
const maxReserve = 16

func newTypedLists[E float32 | float64](n int) typedLists[E] {
	return typedLists[E]{ws: newFreeList[*workspace[E]](n), jobs: newFreeList[*gemmJob[E]](n), scratch: newFreeList[*[]E](n)}
}

// lists returns p's free lists for element type E.
func lists[E float32 | float64](p *Pool) *typedLists[E] {
	if l, ok := any(&p.f32).(*typedLists[E]); ok {
		return l
	}
	return any(&p.f64).(*typedLists[E])
}

// poolTask asks a worker to run one part of a Run call.
type poolTask struct {
	job  *runJob
	part int
}

// NewPool returns a pool of at most workers goroutines (including the
// calling one). It panics if workers < 1.
func NewPool(workers int) *Pool {
	if workers < 1 {
		panic("kernels: NewPool needs at least one worker")
	}
	return &Pool{
		workers: workers,
		runs:    newFreeList[*runJob](4 * workers),
		f32:     newTypedLists[float32](4 * workers),
		f64:     newTypedLists[float64](4 * workers),
	}
}

// defaultPool is the process-wide pool behind Gemm, created on first use with
// one worker per CPU. It is the package's only global: Gemm's signature has no
// room for a pool, and a pool per call would defeat its purpose (reusing
// parked goroutines and warm packing buffers). Callers that want control
// create their own with NewPool and call GemmOn.
var defaultPool = sync.OnceValue(func() *Pool { return NewPool(runtime.NumCPU()) })

// DefaultPool returns the process-wide pool that Gemm uses.
func DefaultPool() *Pool { return defaultPool() }

// Workers reports the maximum number of goroutines a call may use.
func (p *Pool) Workers() int { return p.workers }

// Close stops the pool's worker goroutines. The pool must not be used
// afterwards. Closing the default pool is not allowed.
func (p *Pool) Close() {
	if p == defaultPool() {
		panic("kernels: Close of the default pool")
	}
	p.start.Do(func() {}) // no workers may start after Close
	if p.tasks != nil {
		close(p.tasks)
	}
}

func (p *Pool) startWorkers() {
	p.start.Do(func() {
		p.tasks = make(chan poolTask, 4*p.workers)
		for range p.workers - 1 {
			go p.work()
		}
	})
}

// workerSpin is how long a worker keeps polling for the next part, yielding,
// before it sleeps. Training runs its parallel sections milliseconds apart; a
// parked worker's thread takes tens of microseconds to wake, up to
// milliseconds on a virtual machine, and the operating system may wake it on
// the busy CPU of the goroutine that woke it, so that the two parts share one
// core.
//
// After workerSpin the worker polls in sleeps (time.Sleep reuses the
// goroutine's one timer) of sleepMin, doubling up to sleepMax, so that it
// answers quickly after a short stall and wakes rarely in a long one, for up
// to workerIdle, and only then parks on the task channel. Parking takes a
// record (a sudog) from the Go runtime, which allocates one whenever a
// garbage collection has emptied the runtime's cache: a virtual CPU that
// stalls for more than workerSpin inside a training step would otherwise make
// that step allocate now and then (TestPoolIdleWorkerSleeps).
const (
	workerSpin = 2 * time.Millisecond
	sleepMin   = 50 * time.Microsecond
	sleepMax   = time.Millisecond
	workerIdle = 250 * time.Millisecond
)

// work runs parts until Close, taking each from next.
func (p *Pool) work() {
	for {
		t, ok := p.next()
		if !ok {
			return
		}
		t.job.runPart(t.part)
	}
}

// next returns the next part: polled, yielding, for workerSpin, then in
// growing sleeps until workerIdle, then waited for on the channel.
func (p *Pool) next() (poolTask, bool) {
	start := time.Now()
	var sleep time.Duration // 0 while polling
	for i := 0; ; i++ {
		select {
		case t, ok := <-p.tasks:
			return t, ok
		default:
		}
		switch {
		case sleep > 0:
			if time.Since(start) > workerIdle {
				p.parks.Add(1)
				t, ok := <-p.tasks
				return t, ok
			}
			time.Sleep(sleep)
			sleep = min(2*sleep, sleepMax)
		case i%64 == 63 && time.Since(start) > workerSpin:
			sleep = sleepMin
		default:
			runtime.Gosched()
		}
	}
}

// spinWaits bounds how many times a caller yields while it waits for the
// workers' parts before it sleeps; sleepWait is the step of that sleep.
const (
	spinWaits = 2000
	sleepWait = 20 * time.Microsecond
)

// await returns when *pending reaches zero. Meanwhile the caller runs parts
// still queued (its own or another caller's) rather than wait for a busy
// worker, then yields, then sleeps in short steps. It never parks on a
// channel or a semaphore: such a wait takes a record from the Go runtime,
// which allocates one now and then.
func (p *Pool) await(pending *atomic.Int32) {
	for i := 0; pending.Load() != 0; i++ {
		select {
		case t, ok := <-p.tasks:
			if ok {
				t.job.runPart(t.part)
				continue
			}
		default:
		}
		if i < spinWaits {
			runtime.Gosched()
		} else {
			time.Sleep(sleepWait)
		}
	}
}

// A PartRunner is work split into parts that may run concurrently.
type PartRunner interface {
	// RunPart runs part i, 0 ≤ i < the number of parts given to Run.
	RunPart(i int)
}

// Run runs job.RunPart(i) for i < parts, part 0 on the calling goroutine
// and the others on the pool's workers (or on the caller, when the workers
// are busy), and returns when all are done. GEMMs split their parts this
// way, and the recurrent layers the two halves of a batch. It does not
// allocate in steady state. It panics if parts < 1.
func (p *Pool) Run(job PartRunner, parts int) {
	if parts < 1 {
		panic("kernels: Pool.Run with no parts")
	}
	if parts == 1 {
		job.RunPart(0)
		return
	}
	p.startWorkers()
	r := p.runs.get(func() *runJob { return new(runJob) })
	r.job = job
	r.pending.Store(int32(parts - 1))
	for i := 1; i < parts; i++ {
		p.tasks <- poolTask{job: r, part: i}
	}
	job.RunPart(0)
	p.await(&r.pending)
	r.job = nil
	p.runs.put(r)
}

// runJob is one Run call: the job and its parts still running.
type runJob struct {
	job     PartRunner
	pending atomic.Int32
}

func (r *runJob) runPart(part int) {
	r.job.RunPart(part)
	r.pending.Add(-1) // the last access: the caller may reuse r from here
}

// gemmJob is one Gemm call split into parts along the rows or the columns.
type gemmJob[E float32 | float64] struct {
	g      gemmArgs[E]
	kern   kernel[E]
	pool   *Pool
	parts  int
	splitN bool // split the columns (else the rows)
	unit   int  // parts own whole multiples of unit rows or columns
}

// partRange returns the half-open row or column range of part i: the units
// are dealt out as evenly as possible, earlier parts getting the extra ones.
func (j *gemmJob[E]) partRange(i int) (lo, hi int) {
	size := j.g.m
	if j.splitN {
		size = j.g.n
	}
	units := (size + j.unit - 1) / j.unit
	q, r := units/j.parts, units%j.parts
	lo = (i*q + min(i, r)) * j.unit
	hi = min(size, lo+(q+b2i(i < r))*j.unit)
	return lo, hi
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// RunPart computes part's rows or columns of C (kernels.PartRunner).
func (j *gemmJob[E]) RunPart(part int) {
	lo, hi := j.partRange(part)
	l := lists[E](j.pool)
	ws := l.workspace(&j.kern)
	if j.splitN {
		j.g.run(&j.kern, ws, 0, j.g.m, lo, hi)
	} else {
		j.g.run(&j.kern, ws, lo, hi, 0, j.g.n)
	}
	l.ws.put(ws)
}

// freeList keeps values for reuse: a bounded stack that, unlike sync.Pool,
// the garbage collector does not empty, so a steady state of calls never
// allocates; values beyond its capacity (more concurrent callers than the
// pool has workers, such as several networks training at once) go to a
// sync.Pool instead of being dropped, so they too are reused until a
// collection. It is last in, first out, so a serial caller gets back the
// value it used last, with its buffers warm in cache and already grown.
type freeList[V any] struct {
	mu    sync.Mutex
	stack []V
	spill sync.Pool
}

func newFreeList[V any](n int) *freeList[V] { return &freeList[V]{stack: make([]V, 0, n)} }

func (f *freeList[V]) get(fresh func() V) V {
	f.mu.Lock()
	if n := len(f.stack); n > 0 {
		v := f.stack[n-1]
		f.stack = f.stack[:n-1]
		f.mu.Unlock()
		return v
	}
	f.mu.Unlock()
	if v, ok := f.spill.Get().(V); ok {
		return v
	}
	return fresh()
}

func (f *freeList[V]) put(v V) {
	f.mu.Lock()
	if len(f.stack) < cap(f.stack) {
		f.stack = append(f.stack, v)
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	f.spill.Put(v)
}

// gemmDispatch runs a checked Gemm call with the best kernel for this machine.
func gemmDispatch[E float32 | float64](p *Pool, transA, transB bool, m, n, k int, alpha E, a []E, lda int, b []E, ldb int, beta E, c []E, ldc int) {
	parts := 1
	if p == nil {
		p = DefaultPool() // for its free lists; the call stays serial
	} else {
		parts = p.parallelism(m, n, k)
	}
	gemmWith(p, bestKernel[E](), parts, gemmArgs[E]{transA, transB, m, n, k, alpha, beta, a, lda, b, ldb, c, ldc, nil})
}

// parallelism returns how many parts a problem of this size is worth.
func (p *Pool) parallelism(m, n, k int) int {
	words := float64(m)*float64(k) + float64(k)*float64(n) + float64(m)*float64(n)
	if float64(m)*float64(n)*float64(k)*2 < minParallelFlops && words < minParallelWords {
		return 1
	}
	return min(p.workers, runtime.GOMAXPROCS(0))
}

// gemmWith runs g with kern split into at most parts parts on p.
func gemmWith[E float32 | float64](p *Pool, kern kernel[E], parts int, g gemmArgs[E]) {
	if g.transA && g.pb == nil && g.n <= maxDotCols && g.m > maxDotCols && g.k > 0 && kern.dots[g.n-1][0] != nil {
		gemmSwapped(p, kern, parts, g)
		return
	}
	jobs := lists[E](p).jobs
	j := jobs.get(func() *gemmJob[E] { return new(gemmJob[E]) })
	j.g, j.kern, j.pool = g, kern, p
	tilesM, tilesN := (g.m+kern.mr-1)/kern.mr, (g.n+kern.nr-1)/kern.nr
	j.splitN, j.unit = splitColumns(&kern, parts, g.m, g.n, g.k, tilesM, tilesN), kern.nr
	if !j.splitN {
		j.unit = kern.mr
	}
	j.parts = max(1, min(parts, max(tilesM, tilesN)))
	// As many workspaces as goroutines may be inside products at once: the
	// parts of this one, or serial products on the two halves of a batch.
	if l := lists[E](p); int(l.made.Load()) < p.workers {
		l.reserve(p.parallelism(1<<20, 1<<20, 1<<20), &j.kern)
	}
	p.Run(j, j.parts)
	j.g = gemmArgs[E]{} // drop the references to the caller's slices
	jobs.put(j)
}

// gemmSwapped computes a product with transposed A and few columns, such as
// the input-weight gradient Xᵀ·U of a network with few inputs, as its
// transpose Cᵀ = op(B)ᵀ·A: a product with few rows, where B (here A) is
// read in place instead of being packed into mostly empty panels. Cᵀ goes
// to scratch, then C = alpha·Cᵀᵀ + beta·C.
func gemmSwapped[E float32 | float64](p *Pool, kern kernel[E], parts int, g gemmArgs[E]) {
	m, n := g.m, g.n
	sw := gemmArgs[E]{m: n, n: m, k: g.k, alpha: 1, b: g.a, ldb: g.lda, ldc: m}
	if g.transB { // B is n×k: op(B)ᵀ is B
		sw.a, sw.lda = g.b, g.ldb
	} else { // B is k×n: op(B)ᵀ is Bᵀ
		sw.transA, sw.a, sw.lda = true, g.b, g.ldb
	}
	cts := lists[E](p).scratch
	buf := cts.get(func() *[]E { return new([]E) })
	*buf = grow(*buf, n*m)
	ct := *buf
	sw.c = ct
	gemmWith(p, kern, parts, sw)
	for i := range m {
		crow := g.c[i*g.ldc : i*g.ldc+n]
		for q := range crow {
			if g.beta == 0 {
				crow[q] = g.alpha * ct[q*m+i]
			} else {
				crow[q] = g.alpha*ct[q*m+i] + g.beta*crow[q]
			}
		}
	}
	cts.put(buf)
}

// splitColumns reports whether parts workers should split C by columns
// rather than rows: when there are more column tiles than row tiles, or
// enough column tiles to balance the parts and less packing. A row split has
// every part pack all of B and its rows of A once per nc columns; a column
// split has every part pack all of A once per nc of its columns and only its
// own columns of B.
func splitColumns[E float32 | float64](kern *kernel[E], parts, m, n, k, tilesM, tilesN int) bool {
	if tilesN >= tilesM {
		return true
	}
	if parts < 2 || tilesN < 4*parts {
		return false
	}
	blocks := func(cols int) int { return (cols + kern.nc - 1) / kern.nc }
	rowCost := m/parts*k*blocks(n) + k*n
	colCost := m*k*blocks((n+parts-1)/parts) + k*n/parts
	return colCost < rowCost
}
