package instructions

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
)

const issueRegister = `tenants:
  acme:
    purposes: [billing, support]
    stores:
      wh: {environment: prod, pii: [any]}
      files:
        environment: prod
        assets:
          "logs/*": {pii: [email]}   # first matching pattern wins
          "*": {pii: [any]}
      sandbox: {environment: dev, pii: []}
    subprocessors:
      - {name: mailer, stores: [files], region: eu}
    retention:
      - {store: files, asset: "logs/*", max_age: 90d}
`

var issueStores = []StoreFacts{{Name: "wh", Tenant: "acme", Environment: "prod"}, {Name: "files", Tenant: "acme"}, {Name: "sandbox", Tenant: "acme", Environment: "non-prod"}}

func writeRegister(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "instructions.yaml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestLoadIssueShape(t *testing.T) {
	r, err := LoadFor(writeRegister(t, issueRegister), issueStores)
	require.NoError(t, err)
	acme := r.Tenants["acme"]
	require.NotNil(t, acme)
	assert.Equal(t, []string{"billing", "support"}, acme.Purposes)
	files := acme.Stores["files"]
	require.Len(t, files.Assets, 2)
	assert.Equal(t, "logs/*", files.Assets[0].Pattern, "asset patterns keep file order")
	assert.Equal(t, "*", files.Assets[1].Pattern)
	assert.False(t, files.PII.Set)
	assert.True(t, acme.Stores["sandbox"].PII.Set, "pii: [] is set and permits nothing")
	assert.Empty(t, acme.Stores["sandbox"].PII.Types)
	assert.Equal(t, 90*24*time.Hour, acme.Retention[0].Age)
	assert.Equal(t, 13, acme.Subprocessors[0].Line)

	g := registration{tenant: "acme", t: acme, rule: files}
	assert.Equal(t, []string{"email"}, g.permitted("files", "logs/2024/app.log").types, "* crosses /")
	assert.Equal(t, []string{"any"}, g.permitted("files", "exports/x.csv").types)
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		stores     []StoreFacts
		want       []string
	}{
		{"unknown top key", "tenant:\n  acme: {}\n", issueStores, []string{"line 1", `unknown key "tenant"`}},
		{"unknown tenant key", "tenants:\n  acme:\n    store: {}\n", issueStores, []string{"line 3", `unknown key "store"`}},
		{"unknown store rule key", "tenants:\n  acme:\n    stores:\n      wh: {environment: prod, pi: [any]}\n", issueStores, []string{"line 4", `unknown key "pi"`}},
		{"unknown asset key", "tenants:\n  acme:\n    stores:\n      files:\n        assets:\n          \"logs/*\": {pii: [email], max_age: 3d}\n", issueStores, []string{"line 6", `unknown key "max_age"`}},
		{"unknown retention key", "tenants:\n  acme:\n    stores: {wh: {pii: [any]}}\n    retention:\n      - {store: wh, maxage: 3d}\n", issueStores, []string{"line 5", `unknown key "maxage"`}},
		{"unknown subprocessor key", "tenants:\n  acme:\n    subprocessors:\n      - {name: m, zone: eu}\n", issueStores, []string{"line 4", `unknown key "zone"`}},
		{"bad asset glob", "tenants:\n  acme:\n    stores:\n      files:\n        assets:\n          \"logs/[a\": {pii: [email]}\n", issueStores, []string{"line 6", `"logs/[a"`, "unclosed ["}},
		{"bad retention glob", "tenants:\n  acme:\n    retention:\n      - {store: files, asset: \"[\", max_age: 1d}\n", issueStores, []string{"line 4", "unclosed ["}},
		{"bad max_age", "tenants:\n  acme:\n    retention:\n      - {store: files, max_age: 90 days}\n", issueStores, []string{"line 4", "max_age", "90 days"}},
		{"zero max_age", "tenants:\n  acme:\n    retention:\n      - {store: files, max_age: 0d}\n", issueStores, []string{"longer than zero"}},
		{"bad environment", "tenants:\n  acme:\n    stores:\n      wh: {environment: production}\n", issueStores, []string{"line 4", `"production"`}},
		{"bad pii type", "tenants:\n  acme:\n    stores:\n      wh: {pii: [Credit Card]}\n", issueStores, []string{`"Credit Card"`}},
		{"store not configured", "tenants:\n  acme:\n    stores:\n      warehouse: {pii: [any]}\n", issueStores, []string{"line 4", `"warehouse"`, "config does not have", "wh"}},
		{"subprocessor store not configured", "tenants:\n  acme:\n    subprocessors:\n      - {name: m, stores: [crm]}\n", issueStores, []string{`"crm"`, "config does not have"}},
		{"retention store not configured", "tenants:\n  acme:\n    retention:\n      - {store: crm, max_age: 1d}\n", issueStores, []string{`"crm"`, "config does not have"}},
		{"environment disagrees", "tenants:\n  acme:\n    stores:\n      wh: {environment: dev}\n", issueStores, []string{`"dev"`, `"prod"`, "disagrees"}},
		{"store of another tenant", "tenants:\n  beta:\n    stores:\n      wh: {pii: [any]}\n", issueStores, []string{"belongs to tenant \"acme\""}},
		{"unknown purpose", "tenants:\n  acme:\n    purposes: [billing]\n    stores:\n      wh: {purposes: [ads]}\n", issueStores, []string{`"ads"`}},
		{"empty", "", issueStores, []string{"empty"}},
		{"no tenants", "tenants: {}\n", issueStores, []string{"no tenants"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadFor(writeRegister(t, tc.body), tc.stores)
			require.Error(t, err)
			assert.ErrorIs(t, err, piimap.ErrConfig)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	require.Error(t, err)
	assert.ErrorIs(t, err, piimap.ErrConfig)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "does not exist")
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "12h": 12 * time.Hour, "30m": 30 * time.Minute,
		"2w": 14 * 24 * time.Hour, "1y": 365 * 24 * time.Hour, "36h30m": 36*time.Hour + 30*time.Minute} {
		got, err := ParseAge(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "d", "-3d", "3 months", "0h"} {
		_, err := ParseAge(in)
		assert.Error(t, err, in)
	}
}

func TestGlobAndAllows(t *testing.T) {
	for _, tc := range []struct {
		glob, name string
		want       bool
	}{
		{"logs/*", "logs/a.log", true}, {"logs/*", "logs/x/a.log", true}, {"logs/*", "logsx/a.log", false},
		{"*", "public.users", true}, {"public.*", "publicXusers", false}, {"session:*", "session:*", true},
		{"app?.log", "app1.log", true}, {"app?.log", "app12.log", false}, {"[ab].csv", "a.csv", true}, {"[!ab].csv", "a.csv", false},
		{"données/*", "données/x", true},
	} {
		re, err := compileGlob(tc.glob)
		require.NoError(t, err, tc.glob)
		assert.Equal(t, tc.want, re.MatchString(tc.name), "%s ~ %s", tc.glob, tc.name)
	}
	assert.True(t, allows([]string{"any"}, "credit_card"))
	assert.True(t, allows([]string{"national_id"}, "national_id.us_ssn"))
	assert.True(t, allows([]string{"national_id.*"}, "national_id.uk_nino"))
	assert.False(t, allows([]string{"national"}, "national_id.us_ssn"))
	assert.False(t, allows([]string{"email"}, "credit_card"))
	assert.False(t, allows(nil, "email"))
}

func TestCheckTypes(t *testing.T) {
	known := []string{"email", "credit_card", "national_id.us_ssn", "national_id.uk_nino", "person_name"}
	r, err := Parse([]byte("tenants:\n  acme:\n    stores:\n      wh: {pii: [email, national_id, any, national_id.*]}\n      files:\n        assets:\n          \"*\": {pii: [credit_card]}\n"))
	require.NoError(t, err)
	require.NoError(t, r.CheckTypes(known))
	for body, want := range map[string]string{
		"tenants:\n  acme:\n    stores:\n      wh: {pii: [emial]}\n":                          `line 4: tenant "acme": store "wh": pii "emial" is not a PII type piimap knows (did you mean "email"?)`,
		"tenants:\n  acme:\n    stores:\n      wh: {pii: [ssn]}\n":                            `(did you mean "national_id.us_ssn"?)`,
		"tenants:\n  acme:\n    stores:\n      wh:\n        assets: {\"*\": {pii: [card]}}\n": `asset pattern "*": pii "card"`,
		"tenants:\n  acme:\n    stores:\n      wh: {pii: [national]}\n":                       `pii "national" is not a PII type`,
	} {
		r, err := Parse([]byte(body))
		require.NoError(t, err)
		err = r.CheckTypes(known)
		require.Error(t, err, body)
		assert.ErrorIs(t, err, piimap.ErrConfig)
		assert.Contains(t, err.Error(), want)
	}
}
