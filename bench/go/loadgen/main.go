// Command loadgen drives the webhook-admission benchmark: -connections workers, each
// with its own keep-alive HTTPS connection, POST the AdmissionReview in -body to -url
// as fast as the server answers, for -warmup and then -duration. It prints one JSON
// line: latency percentiles in milliseconds and requests per second over the measured
// window only (requests that complete within it). Before the load starts it prints the
// window's bounds (Unix nanoseconds) on a line of their own.
//
// The server's certificate is verified against -ca (a PEM file; the benchmark's
// self-signed certificate is its own CA), as the API server verifies a webhook's.
// Every answer must be a 200 whose body says "allowed":true; anything else counts as
// an error, and a first request that is not allowed fails the run before it starts.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type result struct {
	URL               string  `json:"url"`
	Connections       int     `json:"connections"`
	ConnectionsOpened int64   `json:"connections_opened"`
	WarmupSeconds     float64 `json:"warmup_seconds"`
	DurationSeconds   float64 `json:"duration_seconds"`
	Requests          int     `json:"requests"`
	WarmupRequests    int64   `json:"warmup_requests"`
	Errors            int64   `json:"errors"`
	FirstError        string  `json:"first_error,omitempty"`
	RequestsPerSecond float64 `json:"requests_per_second"`
	P50Ms             float64 `json:"p50_ms"`
	P90Ms             float64 `json:"p90_ms"`
	P99Ms             float64 `json:"p99_ms"`
	MaxMs             float64 `json:"max_ms"`
	MeanMs            float64 `json:"mean_ms"`
	RequestBytes      int     `json:"request_bytes"`
	ResponseBytes     int     `json:"response_bytes"`
	TLSVersion        string  `json:"tls_version"`
	GoVersion         string  `json:"go_version"`
	GOMAXPROCS        int     `json:"gomaxprocs"`
	CPUSecondsLoadgen float64 `json:"loadgen_cpu_seconds"`
}

var allowed = []byte(`"allowed":true`)

type worker struct {
	client    *http.Client
	latencies []time.Duration
	warmup    int64
	errors    int64
	firstErr  error
}

// post sends one review; the answer's size, its TLS version, and why it is not an
// allowed 200, if not.
func post(client *http.Client, url string, body []byte) (int, uint16, error) {
	request, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	request.Header.Set("Content-Type", "application/json")
	request.Header.Set("Accept", "application/json")
	response, err := client.Do(request)
	if err != nil {
		return 0, 0, err
	}
	answer, err := io.ReadAll(response.Body)
	response.Body.Close()
	if err != nil {
		return 0, 0, err
	}
	var version uint16
	if response.TLS != nil {
		version = response.TLS.Version
	}
	if response.StatusCode != http.StatusOK {
		return len(answer), version, fmt.Errorf("status %d: %.200s", response.StatusCode, answer)
	}
	if !bytes.Contains(answer, allowed) {
		return len(answer), version, fmt.Errorf("not allowed: %.300s", answer)
	}
	return len(answer), version, nil
}

func newClient(tlsConfig *tls.Config, opened *atomic.Int64) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, addr)
			if err == nil {
				opened.Add(1)
			}
			return conn, err
		},
		TLSClientConfig:     tlsConfig,
		MaxIdleConns:        1,
		MaxIdleConnsPerHost: 1,
		MaxConnsPerHost:     1, // one keep-alive connection per worker
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	return &http.Client{Transport: transport, Timeout: 30 * time.Second}
}

func tlsConfig(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return &tls.Config{InsecureSkipVerify: true}, nil //nolint:gosec // explicit opt-out
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", caFile)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// percentile is the nearest-rank percentile of sorted durations, in milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p*float64(len(sorted)))) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return ms(sorted[rank])
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func run() error {
	url := flag.String("url", "", "the webhook URL (https://127.0.0.1:PORT/path)")
	bodyFile := flag.String("body", "", "file holding the AdmissionReview to POST")
	caFile := flag.String("ca", "", "PEM file of the CA to trust (empty: skip verification)")
	connections := flag.Int("connections", 200, "concurrent workers, one connection each")
	duration := flag.Duration("duration", 10*time.Second, "the measured window")
	warmup := flag.Duration("warmup", 2*time.Second, "load before the measured window")
	procs := flag.Int("procs", 0, "GOMAXPROCS (0: Go's default)")
	flag.Parse()
	if *url == "" || *bodyFile == "" {
		return errors.New("-url and -body are required")
	}
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		return err
	}
	config, err := tlsConfig(*caFile)
	if err != nil {
		return err
	}

	var opened atomic.Int64
	// One request first: a server that does not allow the review is not worth timing.
	probe := newClient(config, &opened)
	responseBytes, tlsVersion, err := post(probe, *url, body)
	if err != nil {
		return fmt.Errorf("first request: %w", err)
	}
	probe.CloseIdleConnections()
	opened.Store(0)

	cpuBefore := cpuSeconds()
	start := time.Now()
	measureFrom := start.Add(*warmup)
	measureTo := measureFrom.Add(*duration)
	// The window first, so a caller can sample the server's CPU time over it.
	fmt.Printf("{\"window_unix_ns\":[%d,%d]}\n", measureFrom.UnixNano(), measureTo.UnixNano())
	workers := make([]*worker, *connections)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{client: newClient(config, &opened), latencies: make([]time.Duration, 0, 1024)}
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				began := time.Now()
				if !began.Before(measureTo) {
					return
				}
				_, _, err := post(w.client, *url, body)
				ended := time.Now()
				inWindow := !ended.Before(measureFrom) && !ended.After(measureTo)
				switch {
				case err != nil:
					if inWindow || ended.Before(measureFrom) {
						w.errors++
						if w.firstErr == nil {
							w.firstErr = err
						}
					}
					time.Sleep(10 * time.Millisecond) // no hot loop against a dead server
				case inWindow:
					w.latencies = append(w.latencies, ended.Sub(began))
				case ended.Before(measureFrom):
					w.warmup++
				}
			}
		}()
	}
	wg.Wait()
	cpuAfter := cpuSeconds()

	out := result{
		URL:               *url,
		Connections:       *connections,
		ConnectionsOpened: opened.Load(),
		WarmupSeconds:     warmup.Seconds(),
		DurationSeconds:   duration.Seconds(),
		RequestBytes:      len(body),
		ResponseBytes:     responseBytes,
		TLSVersion:        tls.VersionName(tlsVersion),
		GoVersion:         runtime.Version(),
		GOMAXPROCS:        runtime.GOMAXPROCS(0),
	}
	out.CPUSecondsLoadgen = cpuAfter - cpuBefore
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.latencies...)
		out.WarmupRequests += w.warmup
		out.Errors += w.errors
		if w.firstErr != nil && out.FirstError == "" {
			out.FirstError = w.firstErr.Error()
		}
		w.client.CloseIdleConnections()
	}
	slices.Sort(all)
	out.Requests = len(all)
	out.RequestsPerSecond = float64(len(all)) / duration.Seconds()
	out.P50Ms = percentile(all, 0.50)
	out.P90Ms = percentile(all, 0.90)
	out.P99Ms = percentile(all, 0.99)
	if len(all) > 0 {
		var total time.Duration
		for _, d := range all {
			total += d
		}
		out.MaxMs = ms(all[len(all)-1])
		out.MeanMs = ms(total) / float64(len(all))
	}
	encoded, err := json.Marshal(out)
	if err != nil {
		return err
	}
	fmt.Println(string(encoded))
	return nil
}

// cpuSeconds is the user plus system CPU time this process has used.
func cpuSeconds() float64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}
