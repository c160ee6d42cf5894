package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
)

func TestParse(t *testing.T) {
	t.Setenv("PIIMAP_TEST_CFG_DIR", "/srv/data")
	tests := []struct {
		name    string
		yaml    string
		wantErr string // substring; "" means ok
		check   func(t *testing.T, c *Config)
	}{
		{name: "example parses", yaml: string(exampleConfig()), check: func(t *testing.T, c *Config) {
			require.Equal(t, "/base/piimap-graph", c.Graph)
			require.Equal(t, "file:///base/data", c.Stores[0].URL)
		}},
		{name: "env expanded", yaml: "stores:\n  - name: a\n    url: file://${PIIMAP_TEST_CFG_DIR}/x\n",
			check: func(t *testing.T, c *Config) { require.Equal(t, "file:///srv/data/x", c.Stores[0].URL) }},
		{name: "unset env", yaml: "stores:\n  - name: a\n    url: file://${PIIMAP_NOPE_UNSET}\n", wantErr: "PIIMAP_NOPE_UNSET"},
		{name: "unknown key", yaml: "stores:\n  - name: a\n    url: file:///x\n    sampel: {rows: 1}\n", wantErr: `line 4: unknown key "sampel" in a store; did you mean "sample"?`},
		{name: "bad yaml", yaml: "stores: [\n", wantErr: "line 1: did not find expected node content"},
		{name: "duplicate store", yaml: "stores:\n  - {name: a, url: 'file:///x'}\n  - {name: a, url: 'file:///y'}\n", wantErr: "duplicate name"},
		{name: "missing url", yaml: "stores:\n  - {name: a}\n", wantErr: "url is required"},
		{name: "no stores", yaml: "graph: ./g\n", wantErr: "no stores"},
		{name: "negative keep_runs", yaml: "keep_runs: -1\nstores:\n  - {name: a, url: 'file:///x'}\n", wantErr: "keep_runs -1"},
		{name: "bad env", yaml: "stores:\n  - {name: a, url: 'file:///x', environment: staging}\n", wantErr: "staging"},
		{name: "bad glob", yaml: "stores:\n  - {name: a, url: 'file:///x', include: ['[']}\n", wantErr: "bad glob"},
		{name: "schedule unknown store", yaml: "stores:\n  - {name: a, url: 'file:///x'}\nschedule: {b: '* * * * *'}\n", wantErr: "unknown store"},
		{name: "bad phone region", yaml: "phone_region: XX\nstores:\n  - {name: a, url: 'file:///x'}\n", wantErr: "phone_region"},
		{name: "bad store phone region", yaml: "stores:\n  - {name: a, url: 'file:///x', phone_region: England}\n", wantErr: "England"},
		{name: "bad field phone region", yaml: "stores:\n  - {name: a, url: 'file:///x', phone_regions: {t.phone: ZZ}}\n", wantErr: "ZZ"},
		{name: "bad purge", yaml: "stores:\n  - {name: a, url: 'file:///x', purge: shred}\n", wantErr: "purge"},
		{name: "bad retention", yaml: "stores:\n  - {name: a, url: 'file:///x', environment: backup, retention: soon}\n", wantErr: "retention"},
		{name: "phone region inherited", yaml: "phone_region: gb\nstores:\n  - {name: a, url: 'file:///x'}\n  - {name: b, url: 'file:///y', phone_region: DE}\n",
			check: func(t *testing.T, c *Config) {
				require.Equal(t, "gb", c.Stores[0].PhoneRegion)
				require.Equal(t, "DE", c.Stores[1].PhoneRegion)
			}},
		{name: "password redacted in errors", yaml: "stores:\n  - {name: a, url: 'pg://u:s3cret@h/db', environment: x}\n",
			wantErr: "environment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig([]byte(tt.yaml), "/base")
			if tt.wantErr != "" {
				require.Error(t, err)
				require.True(t, errors.Is(err, piimap.ErrConfig), "wraps ErrConfig: %v", err)
				require.Contains(t, err.Error(), tt.wantErr)
				require.NotContains(t, err.Error(), "s3cret")
				return
			}
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}

func TestLoadNamesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "piimap.yaml")
	require.NoError(t, os.WriteFile(p, []byte("stores: {"), 0o600))
	_, err := loadConfig(p)
	require.ErrorContains(t, err, p)
	_, err = loadConfig(filepath.Join(t.TempDir(), "missing.yaml"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

// TestConfigErrorRedactsURL: a store URL printed in a configuration error
// (the one place the command prints a configured URL) goes through
// scanner.RedactURL, which hides secret query parameters as well as the
// password.
func TestConfigErrorRedactsURL(t *testing.T) {
	for _, u := range []string{
		"//u:s3cret@h:5432/db?password=s3cret&sslmode=disable",
		"localhost/db?sslmode=disable&password=s3cret",
		"bucket/prefix?region=us-east-1&aws_secret_access_key=s3cret",
		"h/db?sslmode=disable&token=s3cret",
	} {
		_, err := parseConfig([]byte("stores:\n  - {name: a, url: '"+u+"'}\n"), "/base")
		require.ErrorIs(t, err, piimap.ErrConfig, u)
		require.ErrorContains(t, err, "has no scheme", u)
		require.NotContains(t, err.Error(), "s3cret", u)
		require.Contains(t, err.Error(), "xxxxx", u)
	}
	_, err := parseConfig([]byte("stores:\n  - {name: a, url: 'h/db?sslmode=disable'}\n"), "/base")
	require.ErrorContains(t, err, "sslmode=disable", "parameters that are no secret are kept")
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(exampleConfig()))
	f.Add([]byte("stores:\n  - {name: a, url: 'file:///x'}\n"))
	f.Add([]byte("stores: [\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := parseConfig(raw, "/base")
		if err == nil && len(c.Stores) == 0 {
			t.Fatal("accepted a config without stores")
		}
	})
}

func TestExamplesParse(t *testing.T) {
	for name, body := range configExamples {
		c, err := parseConfig(body, "/base")
		require.NoError(t, err, name)
		require.NotEmpty(t, c.Stores, name)
	}
	require.Len(t, configExamples["local"], len(exampleLocalYAML))
	c, err := parseConfig(configExamples["local"], "/base")
	require.NoError(t, err)
	var schemes []string
	for _, s := range c.Stores {
		schemes = append(schemes, s.URL[:strings.Index(s.URL, "://")])
	}
	require.Equal(t, []string{"postgres", "mysql", "redis", "s3", "nats"}, schemes)
}
