package classifiers

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"sync"
	"testing"

	"github.com/piimap/piimap"
)

var (
	benchOnce sync.Once
	benchLog  []byte
)

// benchData is a 32 MiB deterministic mixed log (see genLog).
func benchData() []byte {
	benchOnce.Do(func() { benchLog = genLog(newGen(42), 32<<20) })
	return benchLog
}

// BenchmarkSpans: the text hot path on one core (MB/s).
func BenchmarkSpans(b *testing.B) {
	e := defaultEngine(b)
	data := benchData()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		e.Spans(data, func(piimap.Span) { n++ })
	}
}

// BenchmarkScanParallel: ScanParallel over the log with GOMAXPROCS workers.
func BenchmarkScanParallel(b *testing.B) {
	e := defaultEngine(b)
	data := benchData()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.ScanParallel(context.Background(), bytes.NewReader(data), 0, func(Match) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRegexpLoop is the baseline DESIGN §4 rejects: six Go regexps
// run over each line (on 1 MiB of the same log).
func BenchmarkRegexpLoop(b *testing.B) {
	pats := []*regexp.Regexp{
		regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`),
		regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`),
		regexp.MustCompile(`\b(?:\d[ -]?){13,19}\b`),
		regexp.MustCompile(`\+\d{1,3}[ -]?\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}`),
		regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`),
		regexp.MustCompile(`\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b`),
	}
	data := benchData()[:1<<20]
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, line := range bytes.Split(data, []byte{'\n'}) {
			for _, p := range pats {
				p.FindAllIndex(line, -1)
			}
		}
	}
}

// BenchmarkClassifyCells: structured classification, reported per cell
// (b.N counts cells; 100-cell fields of mixed kinds).
func BenchmarkClassifyCells(b *testing.B) {
	e := defaultEngine(b)
	g := newGen(5)
	type field struct {
		loc    piimap.Location
		values []string
	}
	mk := func(asset, name string, f func() string) field {
		return field{piimap.Location{Store: "b", Name: asset, Field: name}, g.many(100, f)}
	}
	fields := []field{
		mk("main.customers", "email", g.email), mk("main.customers", "phone", g.phone),
		mk("main.customers", "full_name", g.name), mk("main.customers", "ssn", g.ssn),
		mk("main.payments", "card_number", g.card), mk("main.payments", "iban", g.iban),
		mk("events", "ip", g.ip), mk("events", "request_id", g.uuid),
		mk("orders", "order_no", g.order), mk("deploys", "app_version", g.version),
		mk("events", "created_ts", g.epoch), mk("products", "sku", g.sku),
	}
	b.ResetTimer()
	cells := 0
	for i := 0; cells < b.N; i++ {
		f := fields[i%len(fields)]
		e.Classify(piimap.Record{Loc: f.loc, Values: f.values})
		cells += len(f.values)
	}
	b.ReportMetric(float64(cells)/b.Elapsed().Seconds(), "cells/s")
}

var _ = io.Discard
