// Command informer is the client-go peer of the informer-10k-pods benchmark.
//
// It runs one SharedInformerFactory pod informer over all namespaces against the API
// server named by -kubeconfig, waits for the cache to sync, and prints one JSON line:
// the seconds from Start to WaitForCacheSync, and the Go heap retained by the informer
// (runtime.ReadMemStats HeapAlloc after a GC, minus the same before the informer was
// created), per cached pod. With -strip the informer drops metadata.managedFields from
// every object before it is stored, as controller-runtime's
// cache.TransformStripManagedFields does (and as kruise-py's cache does by default).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

type result struct {
	Pods        int     `json:"pods"`
	SyncSeconds float64 `json:"sync_seconds"`
	HeapBytes   int64   `json:"heap_bytes"`
	BytesPerPod float64 `json:"bytes_per_pod"`
	RSSDelta    int64   `json:"rss_delta_bytes"`
	Strip       bool    `json:"strip_managed_fields"`
	GoVersion   string  `json:"go_version"`
	ContentType string  `json:"content_type"`
	HeapObjects int64   `json:"heap_objects"`
	GOMAXPROCS  int     `json:"gomaxprocs"`
}

// stripManagedFields is controller-runtime's cache.TransformStripManagedFields.
func stripManagedFields(obj any) (any, error) {
	if accessor, err := meta.Accessor(obj); err == nil && accessor.GetManagedFields() != nil {
		accessor.SetManagedFields(nil)
	}
	return obj, nil
}

// liveHeap collects garbage until the heap settles and returns HeapAlloc and HeapObjects.
func liveHeap() (uint64, uint64) {
	var stats runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&stats)
	return stats.HeapAlloc, stats.HeapObjects
}

// rssBytes reads VmRSS from /proc/self/status; 0 where there is none.
func rssBytes() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if fields := strings.Fields(line); len(fields) >= 2 && fields[0] == "VmRSS:" {
			kib, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0
			}
			return kib * 1024
		}
	}
	return 0
}

func run() error {
	kubeconfig := flag.String("kubeconfig", "", "path of the kubeconfig")
	strip := flag.Bool("strip", false, "drop managedFields before storing objects")
	timeout := flag.Duration("timeout", 5*time.Minute, "how long to wait for the cache to sync")
	flag.Parse()
	if *kubeconfig == "" {
		return fmt.Errorf("-kubeconfig is required")
	}

	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return fmt.Errorf("load kubeconfig: %w", err)
	}
	clientset, err := kubernetes.NewForConfig(config)
	if err != nil {
		return fmt.Errorf("build clientset: %w", err)
	}

	heapBefore, objectsBefore := liveHeap()
	rssBefore := rssBytes()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	start := time.Now()
	var options []informers.SharedInformerOption
	if *strip {
		options = append(options, informers.WithTransform(stripManagedFields))
	}
	factory := informers.NewSharedInformerFactoryWithOptions(clientset, 0, options...)
	informer := factory.Core().V1().Pods().Informer()
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		return fmt.Errorf("pod informer did not sync within %s", *timeout)
	}
	elapsed := time.Since(start)

	heapAfter, objectsAfter := liveHeap()
	rssAfter := rssBytes()
	pods := len(informer.GetStore().ListKeys())
	heap := int64(heapAfter) - int64(heapBefore)
	out := result{
		Pods:        pods,
		SyncSeconds: elapsed.Seconds(),
		HeapBytes:   heap,
		RSSDelta:    rssAfter - rssBefore,
		Strip:       *strip,
		GoVersion:   runtime.Version(),
		ContentType: config.ContentType,
		HeapObjects: int64(objectsAfter) - int64(objectsBefore),
		GOMAXPROCS:  runtime.GOMAXPROCS(0),
	}
	if pods > 0 {
		out.BytesPerPod = float64(heap) / float64(pods)
	}
	if out.ContentType == "" {
		out.ContentType = "application/json"
	}
	// Keep the informer (and its store) reachable until the heap was measured.
	runtime.KeepAlive(informer)
	cancel()
	factory.Shutdown()
	return json.NewEncoder(os.Stdout).Encode(out)
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "informer:", err)
		os.Exit(1)
	}
}
