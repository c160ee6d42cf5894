package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/instructions"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// shadowEmail and shadowCard are the estate's fake values; tests check
// that no output ever holds one.
func shadowEmail(i int) string { return fmt.Sprintf("patron.%03d@shadow-example.org", i) }

// shadowCard is a Luhn-valid 16-digit Visa-style test number.
func shadowCard(i int) string {
	digits := []byte(fmt.Sprintf("4000%011d", 1000+i*7919))
	sum := 0
	for j := len(digits) - 1; j >= 0; j-- {
		d := int(digits[j] - '0')
		if (len(digits)-j)%2 == 1 { // doubled positions, counting the check digit to come
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return string(digits) + string(rune('0'+(10-sum%10)%10))
}

// shadowEstate writes three file stores: prod (a users table, an
// application log with emails, a debug log with card numbers), dev (a
// sample of the users' emails: a copy of production data) and scratch (a
// dump no tenant registers). It returns the config path.
func shadowEstate(t *testing.T, register string) (dir, cfg string) {
	dir = t.TempDir()
	write := func(rel, body string, age time.Duration) {
		p := filepath.Join(dir, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		if age > 0 {
			old := time.Now().Add(-age)
			require.NoError(t, os.Chtimes(p, old, old))
		}
	}
	var users, sample, appLog, debugLog, dump strings.Builder
	users.WriteString("id,email,plan\n")
	sample.WriteString("email,cohort\n")
	for i := range 300 {
		fmt.Fprintf(&users, "%d,%s,%s\n", 5000+i, shadowEmail(i), []string{"pro", "free", "team"}[i%3])
		if i%3 != 0 {
			fmt.Fprintf(&sample, "%s,c%d\n", shadowEmail(i), i%7)
		}
	}
	for i := range 40 {
		fmt.Fprintf(&appLog, "2026-01-02T03:04:%02dZ INFO login ok user=%s\n", i%60, shadowEmail(i))
		fmt.Fprintf(&debugLog, "2026-01-02T03:04:%02dZ DEBUG payment card number %s authorised\n", i%60, shadowCard(i))
		fmt.Fprintf(&dump, "contact %s\n", shadowEmail(300+i))
	}
	write("prod/users.csv", users.String(), 0)
	write("prod/logs/app.log", appLog.String(), 200*24*time.Hour) // older than the 90d retention
	write("prod/logs/debug.log", debugLog.String(), 0)
	write("dev/users_sample.csv", sample.String(), 0)
	write("scratch/dump.txt", dump.String(), 0)
	write("instructions.yaml", register, 0)
	// A DuckDB warehouse whose events table has a created_at column, the
	// oldest value 400 days back.
	db, err := sduck.Open(context.Background(), "duckdb://"+filepath.Join(dir, "wh.duckdb"), false)
	require.NoError(t, err)
	_, err = db.Exec("CREATE TABLE events (event_id INTEGER, email VARCHAR, created_at TIMESTAMP)")
	require.NoError(t, err)
	for i := range 60 {
		_, err := db.Exec("INSERT INTO events VALUES (?, ?, ?)", i, shadowEmail(400+i), time.Now().Add(-time.Duration(400-i*5)*24*time.Hour))
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())
	cfg = writeConfig(t, dir, `  - {name: wh, url: "duckdb://`+filepath.Join(dir, "wh.duckdb")+`", tenant: acme, environment: prod}
  - {name: prod, url: "file://`+filepath.Join(dir, "prod")+`", tenant: acme, environment: prod}
  - {name: dev, url: "file://`+filepath.Join(dir, "dev")+`", tenant: acme, environment: non-prod}
  - {name: scratch, url: "file://`+filepath.Join(dir, "scratch")+`"}
instructions: instructions.yaml
`)
	return dir, cfg
}

const shadowRegister = `tenants:
  acme:
    purposes: [billing]
    stores:
      wh: {environment: prod, pii: [any]}
      prod:
        environment: prod
        assets:
          "logs/*": {pii: [email]}   # first matching pattern wins
          "*": {pii: [any]}
      dev: {environment: dev, pii: [email]}
    retention:
      - {store: prod, asset: "logs/*", max_age: 90d}
      - {store: wh, asset: "main.*", max_age: 1y}
`

// noRawValues fails when any output holds one of the estate's values.
func noRawValues(t *testing.T, outs ...string) {
	t.Helper()
	for _, out := range outs {
		for i := range 460 {
			require.NotContains(t, out, shadowEmail(i))
		}
		for i := range 40 {
			require.NotContains(t, out, shadowCard(i))
		}
	}
}

// TestShadowReportEndToEnd scans a files estate with a register and checks
// the shadow report's findings, JSON, exit codes, and scan's count line.
func TestShadowReportEndToEnd(t *testing.T) {
	_, cfg := shadowEstate(t, shadowRegister)

	code, out, errs := cli(t, "--config", cfg, "scan")
	require.Equal(t, exitOK, code, "scan: %s %s", out, errs)
	noRawValues(t, out, errs)
	assert.Contains(t, out, "shadow processing: 5 findings outside the instructions register (piimap report shadow)")

	// scan --json keeps its JSON; the count goes to stderr.
	code, out, errs = cli(t, "--config", cfg, "--json", "scan")
	require.Equal(t, exitOK, code, errs)
	var run lineage.ScanRun
	require.NoError(t, json.Unmarshal([]byte(out), &run), out)
	assert.NotEmpty(t, run.ID)
	assert.Contains(t, errs, "shadow processing: 5 findings")

	code, out, errs = cli(t, "--config", cfg, "--json", "report", "shadow", "--exit-code", "4")
	require.Equal(t, 4, code, "findings exit with --exit-code: %s", errs)
	noRawValues(t, out, errs)
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	require.Contains(t, raw, "findings")
	first := raw["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"kind", "tenant", "store", "asset", "field", "pii", "instruction", "severity", "evidence"} {
		assert.Contains(t, first, k)
	}
	var rep instructions.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, run.ID, rep.ScanRun)
	got := map[string]instructions.Finding{}
	var keys []string
	for _, f := range rep.Findings {
		k := f.Kind + " " + f.Store + "/" + f.Asset + "#" + f.Field
		got[k] = f
		keys = append(keys, k)
	}
	slices.Sort(keys)
	require.Equal(t, []string{
		"pii_not_permitted prod/logs/debug.log#",
		"prod_copy_in_non_prod dev/users_sample.csv#email",
		"retention_exceeded prod/logs/app.log#",
		"retention_exceeded wh/main.events#created_at",
		"unregistered_store scratch/dump.txt#",
	}, keys, "findings: %+v", rep.Findings)

	card := got["pii_not_permitted prod/logs/debug.log#"]
	assert.Equal(t, "acme", card.Tenant)
	assert.Contains(t, card.PII, "credit_card")
	assert.NotContains(t, card.PII, "email", "emails are permitted in logs/*")
	assert.Equal(t, instructions.SeverityHigh, card.Severity)
	assert.Contains(t, card.Instruction, `tenants.acme.stores.prod.assets["logs/*"] (line 9): pii [email]`)
	require.NotEmpty(t, card.Evidence)

	cp := got["prod_copy_in_non_prod dev/users_sample.csv#email"]
	assert.Equal(t, []string{"email"}, cp.PII)
	assert.Contains(t, cp.Instruction, "tenants.acme.stores.dev (line 11): environment dev")
	ev := strings.Join(cp.Evidence, "\n")
	assert.Contains(t, ev, "copy_of prod/users.csv#email (source fingerprint")
	assert.Contains(t, ev, "the original's store prod is prod")

	ret := got["retention_exceeded prod/logs/app.log#"]
	assert.Contains(t, strings.Join(ret.Evidence, "\n"), "older than max_age 90d")
	assert.Equal(t, "default", got["unregistered_store scratch/dump.txt#"].Tenant)
	assert.Contains(t, strings.Join(got["retention_exceeded wh/main.events#created_at"].Evidence, "\n"), "timestamp column created_at: oldest sampled value")

	// Without --exit-code the command exits 0; the human form lists each finding.
	code, out, errs = cli(t, "--config", cfg, "report", "shadow")
	require.Equal(t, exitOK, code, errs)
	noRawValues(t, out, errs)
	assert.Contains(t, out, "5 findings")
	assert.Contains(t, out, "HIGH  pii_not_permitted  prod/logs/debug.log")
	assert.Contains(t, out, "breaks: tenants.acme.stores.prod.assets")

	// --run reads an earlier run; an unknown one is an error.
	code, _, errs = cli(t, "--config", cfg, "report", "shadow", "--run", "nope")
	assert.Equal(t, exitError, code)
	assert.Contains(t, errs, "no scan run")
	assert.Equal(t, exitUsage, func() int { c, _, _ := cli(t, "--config", cfg, "report", "shadow", "--exit-code", "300"); return c }())
}

// TestShadowReportCleanEstate: when the register allows everything the
// scan found, the report is empty and --exit-code does not fire.
func TestShadowReportCleanEstate(t *testing.T) {
	_, cfg := shadowEstate(t, `tenants:
  acme:
    stores:
      wh: {pii: [any]}
      prod: {environment: prod, pii: [any]}
      dev: {environment: dev, pii: [any]}
  default:
    stores:
      scratch: {pii: [email]}
    retention:
      - {store: scratch, max_age: 1y}
`)
	// dev still copies prod: let dev be prod-like for this estate.
	raw, err := os.ReadFile(cfg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cfg, []byte(strings.Replace(string(raw), "environment: non-prod", "environment: prod", 1)), 0o600))
	reg := filepath.Join(filepath.Dir(cfg), "instructions.yaml")
	raw, err = os.ReadFile(reg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(reg, []byte(strings.Replace(string(raw), "environment: dev", "environment: prod", 1)), 0o600))

	code, out, errs := cli(t, "--config", cfg, "scan")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "shadow processing: 0 findings outside the instructions register\n")
	code, out, errs = cli(t, "--config", cfg, "--json", "report", "shadow", "--exit-code", "4")
	require.Equal(t, exitOK, code, errs)
	var rep instructions.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Empty(t, rep.Findings)
	assert.Empty(t, rep.Unchecked, "the scratch file's age is known")
}

// TestShadowRegisterErrors: a broken register is a config error for every
// command, scan included, naming the file and the line.
func TestShadowRegisterErrors(t *testing.T) {
	_, cfg := shadowEstate(t, shadowRegister)
	reg := filepath.Join(filepath.Dir(cfg), "instructions.yaml")
	for _, tc := range []struct{ name, body, want string }{
		{"unknown key", "tenants:\n  acme:\n    stores:\n      prod: {environmnet: prod}\n", `line 4: store rule: unknown key "environmnet"`},
		{"store not configured", "tenants:\n  acme:\n    stores:\n      warehouse: {pii: [any]}\n", `names store "warehouse", which the config does not have`},
		{"bad glob", "tenants:\n  acme:\n    retention:\n      - {store: prod, asset: \"logs/[\", max_age: 9d}\n", "unclosed ["},
		{"unknown pii type", "tenants:\n  acme:\n    stores:\n      prod: {pii: [ssn]}\n", `pii "ssn" is not a PII type piimap knows (did you mean "national_id.us_ssn"?)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(reg, []byte(tc.body), 0o600))
			code, _, errs := cli(t, "--config", cfg, "scan")
			assert.Equal(t, exitError, code)
			assert.Contains(t, errs, tc.want)
			assert.Contains(t, errs, "instructions.yaml")
		})
	}
	require.NoError(t, os.Remove(reg))
	code, _, errs := cli(t, "--config", cfg, "scan")
	assert.Equal(t, exitError, code, "a missing register is an error, not a scan with exit 0")
	assert.Contains(t, errs, "does not exist")

	// A config without instructions: cannot run the report.
	_, cfg = shadowEstate(t, shadowRegister)
	raw, err := os.ReadFile(cfg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cfg, []byte(strings.Replace(string(raw), "instructions: instructions.yaml\n", "", 1)), 0o600))
	code, _, errs = cli(t, "--config", cfg, "report", "shadow")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, "no instructions: register")
}

// TestStoreRegionSubprocessorValidated: the per-store region: and
// subprocessor: fields the register refers to are checked with the config.
func TestStoreRegionSubprocessorValidated(t *testing.T) {
	dir := t.TempDir()
	ok := "stores:\n  - {name: crm, url: \"file://" + dir + "\", region: eu-west-1, subprocessor: crmco}\n"
	cfg, err := parseConfig([]byte(ok), dir)
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", cfg.Stores[0].Region)
	assert.Equal(t, "crmco", cfg.Stores[0].Subprocessor)
	for _, tc := range []struct{ yaml, want string }{
		{"stores:\n  - {name: crm, url: \"file://" + dir + "\", region: \"eu west\"}\n", `region "eu west" is not a region name`},
		{"stores:\n  - {name: crm, url: \"file://" + dir + "\", subprocessor: \" crmco\"}\n", "surrounding spaces"},
	} {
		_, err := parseConfig([]byte(tc.yaml), dir)
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
	}
}
