package nats_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	natsgo "github.com/nats-io/nats.go"
	"github.com/stretchr/testify/assert"

	pnats "github.com/piimap/piimap/scanner/nats"
)

func TestMessageFields(t *testing.T) {
	cases := []struct {
		name string
		hdr  natsgo.Header
		data string
		want []string // field=value
	}{
		{"json", nil, `{"user":{"email":"a@x.test","tags":["x","y"]},"n":1.5,"ok":true,"nil":null}`,
			[]string{"n=1.5", "ok=true", "user.email=a@x.test", "user.tags[]=x", "user.tags[]=y"}},
		{"array root", nil, `[{"e":"a"},{"e":"b"}]`, []string{"[].e=a", "[].e=b"}},
		{"headers sorted", natsgo.Header{"X-B": {"2"}, "X-A": {"1", "1b"}}, "hi", []string{"header.X-A=1", "header.X-A=1b", "header.X-B=2", "data=hi"}},
		{"scalar json is text", nil, `"quoted"`, []string{`data="quoted"`}},
		{"two documents are text", nil, `{"a":1} {"b":2}`, []string{`data={"a":1} {"b":2}`}},
		{"broken json is text", nil, `{"a":`, []string{`data={"a":`}},
		{"binary", nil, "\xff\x00", nil},
		{"empty", nil, "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			pnats.Message{Header: tc.hdr, Data: []byte(tc.data)}.Fields(func(f, v string) { got = append(got, f+"="+v) })
			assert.Equal(t, tc.want, got)
		})
	}
	m := pnats.Message{Header: natsgo.Header{"X-User-Email": {"a@x.test"}}}
	assert.Equal(t, []string{"a@x.test"}, m.HeaderValues("x-user-email"))
	assert.Nil(t, m.HeaderValues("other"))
}

func FuzzMessageFields(f *testing.F) {
	for _, s := range []string{`{"a":{"b":[1,{"c":"d"}]}}`, `[]`, `[`, `{"a":"\ud800"}`, "text line", "\xff", `{"":{"":""}}`, ` {"a":1}`} {
		f.Add(s, "X-K", "v")
	}
	f.Fuzz(func(t *testing.T, data, hk, hv string) {
		m := pnats.Message{Data: []byte(data)}
		if hk != "" {
			m.Header = natsgo.Header{hk: {hv}}
		}
		m.Fields(func(field, value string) {
			if field == "" {
				t.Fatalf("empty field name")
			}
			if field == pnats.FieldData && !utf8.ValidString(value) {
				t.Fatalf("invalid UTF-8 emitted as text")
			}
			if strings.HasPrefix(field, pnats.HeaderPrefix) && value != hv {
				t.Fatalf("header value changed")
			}
		})
	})
}
