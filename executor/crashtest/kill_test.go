package crashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sfiles "github.com/piimap/piimap/scanner/files"
)

// piimap runs the binary to completion and returns its exit code and output.
type piimap struct {
	t   *testing.T
	bin string
	cfg string
}

func (p piimap) run(args ...string) (int, string, string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.bin, append([]string{"--config", p.cfg, "--quiet"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if strings.Contains(errb.String(), "while opening memtables") {
		// Badger (v4.9.6) cannot reopen a directory holding the empty .mem
		// file a kill between its creation and first write leaves behind
		// (dgraph-io/badger#2207; fix proposed upstream in #2331).
		p.t.Fatalf("piimap %s: the graph no longer opens after kill -9: an empty Badger memtable file was left behind; "+
			"lineage/badgerstore must skip or remove zero-byte *.mem files before badger.Open\n%s", strings.Join(args, " "), errb.String())
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errb.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errb.String()
	}
	p.t.Fatalf("piimap %s: %v", strings.Join(args, " "), err)
	return -1, "", ""
}

func (p piimap) must(args ...string) string {
	p.t.Helper()
	code, out, errs := p.run(args...)
	require.Equal(p.t, 0, code, "piimap %s\nstdout: %s\nstderr: %s", strings.Join(args, " "), out, errs)
	return out
}

// approvedErasure records and approves an erasure of subject k.
func (p piimap) approvedErasure(k int) string {
	p.t.Helper()
	var req struct{ ID string }
	require.NoError(p.t, json.Unmarshal([]byte(p.must("--json", "dsar", "new", "--type", "erasure",
		"--subject", "email="+subjectEmail(k), "--requester", "privacy-ops",
		"--attested-by", "dpo", "--attest-method", "id-document")), &req))
	require.NotEmpty(p.t, req.ID)
	p.must("dsar", "plan", req.ID)
	p.must("dsar", "approve", req.ID, "--by", "dpo")
	p.must("dsar", "approve", req.ID, "--by", "legal")
	return req.ID
}

// killAfter starts `dsar run ID --apply` and SIGKILLs it once ready
// returns (nil: at once) and delay has passed. It reports whether the
// process was still running when killed.
func (p piimap) killAfter(id string, ready func(exited <-chan struct{}) error, delay time.Duration) bool {
	p.t.Helper()
	cmd := exec.Command(p.bin, "--config", p.cfg, "--quiet", "dsar", "run", id, "--apply")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(p.t, cmd.Start())
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	if ready != nil {
		if err := ready(exited); err != nil {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			_, rc, _ := p.run("--json", "dsar", "receipt", id)
			p.t.Fatalf("%v; the run said:\n%s\nreceipt: %s", err, out.String(), rc)
		}
	}
	select {
	case <-exited:
		return false
	case <-time.After(delay):
	}
	killed := cmd.Process.Signal(syscall.SIGKILL) == nil
	<-exited
	var ee *exec.ExitError
	if errors.As(waitErr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return killed
		}
	}
	return false // it exited on its own just before the signal
}

func (p piimap) status(id string) string {
	p.t.Helper()
	var req struct{ Status string }
	require.NoError(p.t, json.Unmarshal([]byte(p.must("--json", "dsar", "status", id)), &req))
	return req.Status
}

type receipt struct {
	Status    string
	Runs      int
	Locations []struct {
		Store, Asset, Status     string
		Found, Changed, Residual int64
	}
}

func envInt(t *testing.T, name string, def int64) int64 {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	require.NoError(t, err, name)
	return n
}

// TestKillDuringErasureThenResume: kill -9 of `piimap dsar run --apply` at a
// seeded random moment, then a re-run, at least ten times per server; each
// time the run completes with zero residual and no other subject's data
// changes.
func TestKillDuringErasureThenResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds piimap and kills it repeatedly: skipped with -short")
	}
	binDir := t.TempDir() // outlives the subtests
	var bin string
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			admin := os.Getenv(d.env)
			if admin == "" {
				t.Skipf("%s is not set: skipping the kill -9 erasure test on %s (e.g. %s=%s; .ci/run sets it)", d.env, d.name, d.env, d.example)
			}
			if bin == "" {
				bin = buildPiimap(t, binDir)
			}
			killAndResume(t, d, bin, admin)
		})
	}
}

func killAndResume(t *testing.T, d dialect, bin, admin string) {
	seed := uint64(envInt(t, "PIIMAP_CRASH_SEED", time.Now().UnixNano()%100000))
	iterations := int(max(envInt(t, "PIIMAP_CRASH_ITERATIONS", 10), 10))
	require.Less(t, iterations, subjects-2, "the estate needs bystanders and a calibration subject")
	t.Logf("seed %d (replay with PIIMAP_CRASH_SEED=%d), %d kills", seed, seed, iterations)
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))

	tmp := t.TempDir()
	dbURL := d.newDB(t, admin)
	files := filepath.Join(tmp, "files")
	writeFiles(t, files)
	cfg := filepath.Join(tmp, "piimap.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`graph: ./graph
stores:
  - name: app
    url: %s
    tenant: acme
  - name: files
    url: file://./files
    tenant: acme
`, dbURL)), 0o600))
	p := piimap{t: t, bin: bin, cfg: cfg}
	p.must("init") // the key directory, beside the config
	p.must("scan")

	// Calibrate on the last subject: a dry run does everything an applied
	// run does before it writes (open the graph, re-derive and freeze the
	// plan, count). Free kills are drawn from half of that to the end of an
	// uninterrupted applied run, so they hit planning, erasure and the
	// receipt; pinned kills (below) from the end of planning on.
	calib := subjects
	id := p.approvedErasure(calib)
	start := time.Now()
	p.must("dsar", "run", id)
	dry := time.Since(start)
	start = time.Now()
	p.must("dsar", "run", id, "--apply")
	full := time.Since(start)
	// (each is one sample on a shared machine: take the wider window)
	lo, hi := min(dry, full)/2, max(dry, full)*11/10
	t.Logf("a dry run takes %v, an uninterrupted applied run %v: kills drawn in [%v, %v)", dry.Round(time.Millisecond),
		full.Round(time.Millisecond), lo.Round(time.Millisecond), hi.Round(time.Millisecond))

	before := d.readEstate(t, dbURL, files)
	for k := 1; k <= iterations; k++ {
		require.NotZero(t, before.rows[k]["order_items"], "subject %d has no rows to erase", k)
	}
	var midRun, resumed int
	for k := 1; k <= iterations; k++ {
		id := p.approvedErasure(k)
		delay := lo + time.Duration(rng.Int64N(int64(hi-lo)))
		// Every other kill is pinned inside the store transaction: a
		// concurrent session holds the subject's customer row, so the run
		// deletes the children, then waits on the parent; it is killed a
		// random moment after Postgres shows it waiting.
		var release func()
		var ready func(exited <-chan struct{}) error
		if k%2 == 1 {
			release = d.lock(t, dbURL, k)
			delay = time.Duration(rng.Int64N(int64(200 * time.Millisecond)))
			ready = func(exited <-chan struct{}) error { return d.waitBlocked(t, dbURL, exited) }
		}
		killed := p.killAfter(id, ready, delay)
		if release != nil {
			require.True(t, killed, "subject %d: the pinned run was not killed mid-transaction", k)
			// nothing the killed transaction did is visible: all or nothing
			require.Equal(t, before.sumsWithout("contacts.csv", "app.log")[k], d.readEstate(t, dbURL, files).sumsWithout("contacts.csv", "app.log")[k],
				"subject %d: a killed transaction left part of its work", k)
			release()
		}
		st := p.status(id)
		if killed {
			midRun++
		}
		if st == "executing" || st == "verifying" { // left mid-run
			resumed++
		}
		var rc receipt
		var code int
		for attempt := 0; attempt < 4; attempt++ {
			var out, errs string
			code, out, errs = p.run("--json", "dsar", "run", id, "--apply")
			if code == 0 {
				require.NoError(t, json.Unmarshal([]byte(out), &rc))
				break
			}
			// a lock held by the killed run's backend until the server
			// notices the dead client surfaces as a failed step: run again
			t.Logf("subject %d: re-run %d exited %d: %s", k, attempt+1, code, firstLine(errs))
		}
		require.Equal(t, 0, code, "subject %d: the re-run did not complete", k)
		require.Equal(t, "completed", rc.Status)
		for _, l := range rc.Locations {
			require.Zero(t, l.Residual, "subject %d: %s/%s", k, l.Store, l.Asset)
			require.Equal(t, "done", l.Status, "subject %d: %s/%s", k, l.Store, l.Asset)
		}
		t.Logf("subject %d: killed after %v (mid-run %v), status before re-run %q, receipt after %d runs", k,
			delay.Round(time.Millisecond), killed, st, rc.Runs)

		require.Empty(t, tempFiles(t, files), "subject %d: a rewrite's temp files survived the resumed run", k)

		after := d.readEstate(t, dbURL, files)
		for j := 1; j <= subjects; j++ {
			switch {
			case j <= k || j == calib:
				require.Empty(t, after.rows[j], "subject %d: rows left after erasure", j)
			default:
				require.Equal(t, before.sums[j], after.sums[j], "subject %d's rows changed while erasing subject %d", j, k)
				require.Equal(t, before.rows[j], after.rows[j])
			}
		}
	}
	t.Logf("%d of %d kills landed mid-run, %d re-runs resumed a running request", midRun, iterations, resumed)
	require.GreaterOrEqual(t, midRun, iterations/2, "most kills must land while the run is in progress, or the test proves little")
	require.NotZero(t, resumed, "no re-run resumed a request left running: the resume path was not exercised")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// tempFiles lists piimap's rewrite temp files (sfiles.IsTempName) in the
// files store: a kill mid-rewrite may leave one, and the resumed erasure
// must remove it.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && sfiles.IsTempName(d.Name()) {
			out = append(out, d.Name())
		}
		return nil
	}))
	return out
}
