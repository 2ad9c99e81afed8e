// Command workqueue is the client-go peer of two kruise-py benchmarks; it prints one
// JSON line.
//
// -mode throughput (workqueue-throughput): one producer adds -ops keys to a plain
// workqueue.Typed[string] (no name, hence no metrics), every fifth add repeating the key
// added two before it, while -workers goroutines loop Get then Done. The figure is
// (adds + gets) per second, from the first add until the workers have drained the
// queue after the producer finished and shut it down.
//
// -mode reconcile (reconcile-noop-overhead): controller-runtime's worker loop around a
// no-op Reconcile, over a named rate-limiting queue with Prometheus workqueue metrics:
// Get; active-workers gauge up; a reconcile ID and a logger with the request's values
// in the context; Reconcile; the reconcile_total counter and reconcile_time histogram;
// Forget; Done. -ops distinct requests are added once the workers wait; the figure is
// microseconds per reconcile from the first add until the last reconcile ran.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/util/workqueue"
)

type result struct {
	Mode                   string  `json:"mode"`
	Ops                    int     `json:"ops"`
	Workers                int     `json:"workers"`
	Adds                   int64   `json:"adds,omitempty"`
	Gets                   int64   `json:"gets,omitempty"`
	Seconds                float64 `json:"seconds"`
	OpsPerSecond           float64 `json:"ops_per_second,omitempty"`
	MicrosecondsPerRequest float64 `json:"microseconds_per_reconcile,omitempty"`
	GoVersion              string  `json:"go_version"`
	GOMAXPROCS             int     `json:"gomaxprocs"`
}

// throughputKeys is the add sequence shared with bench/scenarios/workqueue.py.
func throughputKeys(ops int) []string {
	keys := make([]string, ops)
	for j := range ops {
		id := j
		if j%5 == 4 {
			id = j - 2
		}
		keys[j] = fmt.Sprintf("ns-%d/item-%d", id%10, id)
	}
	return keys
}

func throughput(ops, workers int) result {
	keys := throughputKeys(ops)
	queue := workqueue.NewTyped[string]()
	var gets atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				item, shutdown := queue.Get()
				if shutdown {
					return
				}
				gets.Add(1)
				queue.Done(item)
			}
		}()
	}
	for _, key := range keys {
		queue.Add(key)
	}
	queue.ShutDown()
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	total := int64(len(keys)) + gets.Load()
	return result{
		Mode:         "throughput",
		Ops:          ops,
		Workers:      workers,
		Adds:         int64(len(keys)),
		Gets:         gets.Load(),
		Seconds:      elapsed,
		OpsPerSecond: float64(total) / elapsed,
	}
}

// ---- controller-runtime's metrics (pkg/metrics and pkg/metrics/workqueue.go) -------------

var (
	reconcileTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "controller_runtime_reconcile_total",
		Help: "Total number of reconciliations per controller",
	}, []string{"controller", "result"})
	reconcileErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "controller_runtime_reconcile_errors_total",
		Help: "Total number of reconciliation errors per controller",
	}, []string{"controller"})
	reconcileTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "controller_runtime_reconcile_time_seconds",
		Help: "Length of time per reconciliation per controller",
		Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0,
			1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60},
	}, []string{"controller"})
	activeWorkers = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "controller_runtime_active_workers",
		Help: "Number of currently used workers per controller",
	}, []string{"controller"})

	wqLabels = []string{"name", "controller"}
	depth    = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Subsystem: "workqueue", Name: "depth", Help: "Current depth of workqueue",
	}, wqLabels)
	adds = prometheus.NewCounterVec(prometheus.CounterOpts{
		Subsystem: "workqueue", Name: "adds_total", Help: "Total number of adds handled by workqueue",
	}, wqLabels)
	latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Subsystem: "workqueue", Name: "queue_duration_seconds",
		Help:    "How long in seconds an item stays in workqueue before being requested",
		Buckets: prometheus.ExponentialBuckets(10e-9, 10, 12),
	}, wqLabels)
	workDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Subsystem: "workqueue", Name: "work_duration_seconds",
		Help:    "How long in seconds processing an item from workqueue takes.",
		Buckets: prometheus.ExponentialBuckets(10e-9, 10, 12),
	}, wqLabels)
	unfinished = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Subsystem: "workqueue", Name: "unfinished_work_seconds",
		Help: "How many seconds of work has been done that is in progress.",
	}, wqLabels)
	longestRunning = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Subsystem: "workqueue", Name: "longest_running_processor_seconds",
		Help: "How many seconds has the longest running processor been running.",
	}, wqLabels)
	retries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Subsystem: "workqueue", Name: "retries_total", Help: "Total number of retries handled by workqueue",
	}, wqLabels)
)

type metricsProvider struct{}

func (metricsProvider) NewDepthMetric(name string) workqueue.GaugeMetric {
	return depth.WithLabelValues(name, name)
}

func (metricsProvider) NewAddsMetric(name string) workqueue.CounterMetric {
	return adds.WithLabelValues(name, name)
}

func (metricsProvider) NewLatencyMetric(name string) workqueue.HistogramMetric {
	return latency.WithLabelValues(name, name)
}

func (metricsProvider) NewWorkDurationMetric(name string) workqueue.HistogramMetric {
	return workDuration.WithLabelValues(name, name)
}

func (metricsProvider) NewUnfinishedWorkSecondsMetric(name string) workqueue.SettableGaugeMetric {
	return unfinished.WithLabelValues(name, name)
}

func (metricsProvider) NewLongestRunningProcessorSecondsMetric(name string) workqueue.SettableGaugeMetric {
	return longestRunning.WithLabelValues(name, name)
}

func (metricsProvider) NewRetriesMetric(name string) workqueue.CounterMetric {
	return retries.WithLabelValues(name, name)
}

// ---- the controller loop -------------------------------------------------------------

type request struct{ Namespace, Name string }

type reconcileIDKey struct{}

type controller struct {
	name   string
	queue  workqueue.TypedRateLimitingInterface[request]
	log    logr.Logger
	target int64
	seen   atomic.Int64
	all    chan struct{}
}

// reconcile is the no-op reconciler; it signals once every request was seen.
func (c *controller) reconcile(_ context.Context, _ request) error {
	if c.seen.Add(1) == c.target {
		close(c.all)
	}
	return nil
}

func (c *controller) processNextWorkItem(ctx context.Context) bool {
	obj, shutdown := c.queue.Get()
	if shutdown {
		return false
	}
	defer c.queue.Done(obj)
	activeWorkers.WithLabelValues(c.name).Add(1)
	defer activeWorkers.WithLabelValues(c.name).Add(-1)
	c.reconcileHandler(ctx, obj)
	return true
}

func (c *controller) reconcileHandler(ctx context.Context, req request) {
	start := time.Now()
	defer func() {
		reconcileTime.WithLabelValues(c.name).Observe(time.Since(start).Seconds())
	}()
	reconcileID := uuid.New()
	log := c.log.WithValues("namespace", req.Namespace, "name", req.Name, "reconcileID", reconcileID)
	ctx = logr.NewContext(ctx, log)
	ctx = context.WithValue(ctx, reconcileIDKey{}, reconcileID)
	if err := c.safeReconcile(ctx, req); err != nil {
		reconcileErrors.WithLabelValues(c.name).Inc()
		reconcileTotal.WithLabelValues(c.name, "error").Inc()
		c.queue.AddRateLimited(req)
		return
	}
	reconcileTotal.WithLabelValues(c.name, "success").Inc()
	c.queue.Forget(req)
}

// safeReconcile recovers a panicking reconciler, as controller-runtime does.
func (c *controller) safeReconcile(ctx context.Context, req request) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.reconcile(ctx, req)
}

func reconcileLoop(ops, workers int) result {
	registry := prometheus.NewRegistry()
	registry.MustRegister(reconcileTotal, reconcileErrors, reconcileTime, activeWorkers,
		depth, adds, latency, workDuration, unfinished, longestRunning, retries)
	const name = "bench"
	c := &controller{
		name: name,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[request](),
			workqueue.TypedRateLimitingQueueConfig[request]{Name: name, MetricsProvider: metricsProvider{}},
		),
		log:    logr.Discard().WithValues("controller", name),
		target: int64(ops),
		all:    make(chan struct{}),
	}
	for _, label := range []string{"success", "error", "requeue", "requeue_after"} {
		reconcileTotal.WithLabelValues(name, label)
	}
	requests := make([]request, ops)
	for i := range requests {
		requests[i] = request{Namespace: fmt.Sprintf("ns-%d", i%10), Name: fmt.Sprintf("item-%d", i)}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c.processNextWorkItem(ctx) {
			}
		}()
	}
	time.Sleep(50 * time.Millisecond) // let the workers block in Get
	start := time.Now()
	for _, req := range requests {
		c.queue.Add(req)
	}
	<-c.all
	elapsed := time.Since(start).Seconds()
	c.queue.ShutDown()
	wg.Wait()
	return result{
		Mode:                   "reconcile",
		Ops:                    ops,
		Workers:                workers,
		Seconds:                elapsed,
		MicrosecondsPerRequest: elapsed * 1e6 / float64(ops),
	}
}

func main() {
	mode := flag.String("mode", "throughput", "throughput or reconcile")
	ops := flag.Int("ops", 200000, "adds (throughput) or distinct requests (reconcile)")
	workers := flag.Int("workers", 4, "worker goroutines")
	flag.Parse()
	if *ops <= 0 || *workers <= 0 {
		fmt.Fprintln(os.Stderr, "workqueue: -ops and -workers must be positive")
		os.Exit(2)
	}
	var out result
	switch *mode {
	case "throughput":
		out = throughput(*ops, *workers)
	case "reconcile":
		out = reconcileLoop(*ops, *workers)
	default:
		fmt.Fprintf(os.Stderr, "workqueue: unknown -mode %q\n", *mode)
		os.Exit(2)
	}
	out.GoVersion = runtime.Version()
	out.GOMAXPROCS = runtime.GOMAXPROCS(0)
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "workqueue:", err)
		os.Exit(1)
	}
}
