// Command rawcreator is the floor of the cloneset-scale-1000 benchmark: a plain
// concurrent creator of pods, with the same client-side QPS and burst as the
// controllers it is compared with, so its time is the API server's own limit (plus the
// scheduler and kwok, which every contender shares).
//
// It reads a pod template (a PodTemplateSpec as JSON, the very template the CloneSet and
// Deployment of the benchmark carry), sets up its client, prints "ready" and waits for a
// line on stdin; then it creates -count pods named <prefix>-<index> in -namespace with
// -workers goroutines through one client-go clientset (QPS and burst from the flags),
// and prints one JSON line: how many it created and how long it took.
//
// With -gate (the raw-creator-gated peer) each pod carries the InPlaceUpdateReady
// readiness gate, as an in-place-capable controller's pods do, and the goroutine that
// created a pod then sets that condition True through the pod's status subresource: the
// one write per pod such a controller must make before the pod can be Ready. OpenKruise
// writes the condition with an update of the status at the pod version it holds; a
// strategic-merge patch of status.conditions (merged by type) cannot conflict with the
// scheduler's and kwok's writes, so this is the least API work that does the job.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// inPlaceUpdateReady is OpenKruise's readiness gate of in-place updates.
const inPlaceUpdateReady = "InPlaceUpdateReady"

type result struct {
	Created            int64   `json:"created"`
	Failed             int64   `json:"failed"`
	SecondsAllCreated  float64 `json:"seconds_all_created"`
	Gated              bool    `json:"gated"`
	ConditionsSet      int64   `json:"conditions_set"`
	SecondsAllSet      float64 `json:"seconds_all_conditions_set,omitempty"`
	FirstError         string  `json:"first_error,omitempty"`
	QPS                float64 `json:"qps"`
	Burst              int     `json:"burst"`
	Workers            int     `json:"workers"`
	GoVersion          string  `json:"go_version"`
	SecondsBeforeReady float64 `json:"seconds_setup"`
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the API server")
	namespace := flag.String("namespace", "default", "namespace of the pods")
	template := flag.String("template", "", "a PodTemplateSpec as JSON")
	prefix := flag.String("prefix", "raw", "pod name prefix")
	count := flag.Int("count", 1000, "pods to create")
	qps := flag.Float64("qps", 100, "client-side queries per second")
	burst := flag.Int("burst", 200, "client-side burst")
	workers := flag.Int("workers", 64, "concurrent creators")
	wait := flag.Bool("wait", true, "print ready and wait for a line on stdin before creating")
	gate := flag.Bool("gate", false, "add the InPlaceUpdateReady readiness gate and set its condition after each create")
	flag.Parse()
	started := time.Now()

	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "rawcreator: "+format+"\n", args...)
		os.Exit(1)
	}
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail("kubeconfig: %v", err)
	}
	config.QPS = float32(*qps)
	config.Burst = *burst
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		fail("client: %v", err)
	}
	raw, err := os.ReadFile(*template)
	if err != nil {
		fail("template: %v", err)
	}
	var spec corev1.PodTemplateSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		fail("template: %v", err)
	}
	if *gate {
		withGate(&spec.Spec)
	}
	ctx := context.Background()
	// One request before the clock starts, so the connection is up as it is for a
	// controller that has been running.
	if _, err := client.CoreV1().Namespaces().Get(ctx, *namespace, metav1.GetOptions{}); err != nil {
		fail("namespace %s: %v", *namespace, err)
	}
	setup := time.Since(started).Seconds()
	if *wait {
		fmt.Println("ready")
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			fail("no go line on stdin: %v", err)
		}
	}

	begin := time.Now()
	var next, created, failed, set atomic.Int64
	var firstError atomic.Value
	var group sync.WaitGroup
	for range *workers {
		group.Add(1)
		go func() {
			defer group.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(*count) {
					return
				}
				pod := &corev1.Pod{ObjectMeta: *spec.ObjectMeta.DeepCopy(), Spec: *spec.Spec.DeepCopy()}
				pod.Name = fmt.Sprintf("%s-%05d", *prefix, i)
				pod.Namespace = *namespace
				if _, err := client.CoreV1().Pods(*namespace).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
					failed.Add(1)
					firstError.CompareAndSwap(nil, err.Error())
					continue
				}
				created.Add(1)
				if !*gate {
					continue
				}
				if err := setCondition(ctx, client, *namespace, pod.Name); err != nil {
					failed.Add(1)
					firstError.CompareAndSwap(nil, err.Error())
					continue
				}
				set.Add(1)
			}
		}()
	}
	group.Wait()
	elapsed := time.Since(begin).Seconds()
	out := result{
		Created:            created.Load(),
		Failed:             failed.Load(),
		SecondsAllCreated:  elapsed,
		Gated:              *gate,
		ConditionsSet:      set.Load(),
		QPS:                *qps,
		Burst:              *burst,
		Workers:            *workers,
		GoVersion:          runtime.Version(),
		SecondsBeforeReady: setup,
	}
	if *gate {
		// Creates and condition writes interleave: the last of either ends the run.
		out.SecondsAllSet = elapsed
	}
	if e, ok := firstError.Load().(string); ok {
		out.FirstError = e
	}
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
	if out.Failed > 0 {
		os.Exit(1)
	}
}

// withGate adds the InPlaceUpdateReady readiness gate unless the template has it.
func withGate(spec *corev1.PodSpec) {
	for _, g := range spec.ReadinessGates {
		if g.ConditionType == inPlaceUpdateReady {
			return
		}
	}
	spec.ReadinessGates = append(spec.ReadinessGates, corev1.PodReadinessGate{ConditionType: inPlaceUpdateReady})
}

// setCondition sets the pod's InPlaceUpdateReady condition True: one strategic-merge
// patch of the status subresource (conditions merge by type, so the scheduler's and
// kwok's conditions stay).
func setCondition(ctx context.Context, client kubernetes.Interface, namespace, name string) error {
	patch, err := json.Marshal(map[string]any{
		"status": map[string]any{
			"conditions": []corev1.PodCondition{{
				Type:               inPlaceUpdateReady,
				Status:             corev1.ConditionTrue,
				LastTransitionTime: metav1.Now(),
			}},
		},
	})
	if err != nil {
		return err
	}
	_, err = client.CoreV1().Pods(namespace).Patch(
		ctx, name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status")
	return err
}
