package classifiers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/piimap/piimap"
)

func TestFieldClassification(t *testing.T) {
	e := defaultEngine(t)
	g := newGen(7)
	seq := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(1000 + i*7)
		}
		return out
	}
	msgs := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			if i%3 == 0 {
				out[i] = "password reset mail sent to " + g.email() + " after 3 tries"
			} else {
				out[i] = "cache miss for key " + g.uuid() + " took 12 ms"
			}
		}
		return out
	}
	cases := []struct {
		asset, field string
		sqlType      string
		values       []string
		want         string // "" = no finding at all
		minConf      float64
	}{
		{"main.customers", "email", "VARCHAR", g.many(100, g.email), piimap.TypeEmail, 0.9},
		{"events", "payload.user.email", "", g.many(40, g.email), piimap.TypeEmail, 0.9},
		{"main.customers", "contactEmailAddress", "", g.many(40, g.email), piimap.TypeEmail, 0.9},
		{"main.customers", "phone", "", g.many(100, g.phone), piimap.TypePhone, 0.9},
		{"main.customers", "full_name", "", g.many(100, g.name), piimap.TypePersonName, 0.9},
		{"main.customers", "name", "", g.many(100, func() string { return strings.ToUpper(g.name()) }), piimap.TypePersonName, 0.9},
		{"main.customers", "id", "BIGINT", seq(100), piimap.TypeUserID, 0.8},
		{"main.orders", "customer_id", "BIGINT", seq(100), piimap.TypeUserID, 0.8},
		{"main.customers", "ssn", "", g.many(100, g.ssn), piimap.TypeUSSSN, 0.9},
		{"main.payments", "card_number", "", g.many(100, g.card), piimap.TypeCreditCard, 0.9},
		{"main.payments", "iban", "", g.many(100, g.iban), piimap.TypeIBAN, 0.9},
		{"events.parquet", "ip", "", g.many(100, g.ip), piimap.TypeIPAddress, 0.9},
		{"devices", "mac", "", g.many(50, g.mac), piimap.TypeMACAddress, 0.9},
		{"main.customers", "date_of_birth", "DATE", []string{"1985-03-12", "1990-11-02", "1979-01-30", "2001-07-07", "1965-12-24", "1999-02-28"}, piimap.TypeDateOfBirth, 0.6},
		{"main.users", "password_hash", "", g.many(50, func() string { return "$2b$12$" + g.uuid()[:22] }), piimap.TypeCredential, 0.8},
		{"app.jsonl", "msg", "", msgs(60), piimap.TypeEmail, 0.8},
		{"main.stores", "lat", "DOUBLE", []string{"52.5200", "48.8566", "40.7128", "-33.8688", "35.6762", "51.5074"}, piimap.TypeGeoCoordinates, 0.5},

		// small fields (a two-row export, a one-row table): each validated
		// value is evidence, as a span of text is
		{"exports/logins.csv", "kontakt", "", []string{"ann.mueller@posteo.de", "bob@example.com"}, piimap.TypeEmail, 0.85},
		{"main.accounts", "bankverbindung", "", []string{"DE89370400440532013000"}, piimap.TypeIBAN, 0.8},
		{"main.accounts", "contact", "", []string{"Kunde 7 <kunde7@example.org>", `"Brandt, Ann" <ann.brandt@example.net>`, "Quispe <q@example.com>", "Lee <lee@example.co.uk>", "O. Okonkwo <oo@example.org>", "Ng <ng@example.org>"}, piimap.TypeEmail, 0.6},

		// hard negatives: none of these may be flagged as anything
		{"main.notes", "kontakt", "", []string{"ann@example.com", "call back later", "see ticket"}, "", 0},
		{"main.refs", "ref", "", []string{"4111111111111112", "1234"}, "", 0},
		{"main.calls", "code", "", []string{"0301234567", "0891234567"}, "", 0},
		{"main.deploys", "value", "", []string{"1.2.3.4", "2.0.1.3"}, "", 0},
		{"main.files", "asset", "", []string{"logo@2x.png", "icon@3x.jpg"}, "", 0},
		{"main.html", "snippet", "", []string{"<b>x</b>", "<br>", "a <i>", "<p>", "<div>"}, "", 0},
		{"main.events", "request_id", "", g.many(100, g.uuid), "", 0},
		{"main.orders", "order_no", "", g.many(100, g.order), "", 0},
		{"main.events", "created_ts", "BIGINT", g.many(100, g.epoch), "", 0},
		{"main.products", "sku", "", g.many(100, g.sku), "", 0},
		{"main.deploys", "app_version", "", g.many(100, g.version), "", 0},
		{"main.deploys", "value", "", g.many(100, g.version), "", 0},
		{"main.payments", "reference", "", g.many(100, g.badCard), "", 0},
		{"main.payments", "card_number", "", g.many(100, g.badCard), "", 0},
		{"main.legacy", "ssn", "", g.many(100, g.badSSN), "", 0},
		{"main.legacy", "tax_ref", "", g.many(100, g.badSSN), "", 0},
		{"main.orders", "id", "BIGINT", seq(100), "", 0},
		{"main.orders", "total", "DOUBLE", []string{"12.50", "7.99", "100.00", "3.20", "45.10"}, "", 0},
		{"main.products", "name", "", []string{"Blue Widget", "Red Gadget Pro", "Steel Bolt M4", "Cable 2m", "Lamp Shade"}, "", 0},
		{"main.events", "status", "", []string{"ok", "ok", "failed", "ok", "retry", "ok"}, "", 0},
	}
	for _, c := range cases {
		t.Run(c.asset+"#"+c.field, func(t *testing.T) {
			rec := piimap.Record{Loc: piimap.Location{Store: "t", Name: c.asset, Field: c.field}, Values: c.values,
				Meta: map[string]string{piimap.MetaSQLType: c.sqlType}}
			fs := e.Classify(rec)
			if c.want == "" {
				for _, f := range fs {
					t.Errorf("hard negative flagged: %s conf %.2f evidence %v", f.Type, f.Confidence, f.Evidence)
				}
				return
			}
			var got *piimap.Finding
			for i := range fs {
				if fs[i].Type == c.want {
					got = &fs[i]
				}
			}
			if got == nil {
				t.Fatalf("no %s finding; got %+v", c.want, fs)
			}
			if got.Confidence < c.minConf {
				t.Errorf("%s confidence %.2f < %.2f; evidence %v", c.want, got.Confidence, c.minConf, got.Evidence)
			}
			if got.Masked == "" || len(got.Evidence) == 0 || got.Hits == 0 || got.Sampled == 0 {
				t.Errorf("incomplete finding %+v", got)
			}
			for _, v := range c.values {
				if strings.Contains(got.Masked, v) && len(v) > 3 {
					t.Errorf("masked example contains a raw value")
				}
				for _, ev := range got.Evidence {
					if len(v) > 5 && strings.Contains(ev, v) {
						t.Errorf("evidence contains a raw value: %q", ev)
					}
				}
			}
		})
	}
}

func TestClassifyDetailNearMiss(t *testing.T) {
	e := defaultEngine(t)
	g := newGen(9)
	// 6 of 10 values are e-mails: below the threshold without a hint, but
	// close enough that a bigger sample should decide.
	vals := append(g.many(6, g.email), "n/a x", "unknown y", "later z", "none w")
	fs, amb := e.ClassifyDetail(piimap.Record{Loc: piimap.Location{Store: "t", Name: "t", Field: "contact"}, Values: vals})
	if len(fs) != 0 || !amb {
		t.Errorf("near miss: findings %+v ambiguous %v", fs, amb)
	}
	_, amb = e.ClassifyDetail(piimap.Record{Loc: piimap.Location{Store: "t", Name: "t", Field: "email"}, Values: g.many(100, g.email)})
	if amb {
		t.Error("a clear e-mail column is not ambiguous")
	}
	_, amb = e.ClassifyDetail(piimap.Record{Loc: piimap.Location{Store: "t", Name: "t", Field: "sku"}, Values: g.many(100, g.sku)})
	if amb {
		t.Error("a SKU column is not ambiguous")
	}
}

func TestSplitWords(t *testing.T) {
	cases := map[string]string{
		"payload.user.email":   "payload user email",
		"contactEmailAddress":  "contact email address",
		"SSNNumber":            "ssn number",
		"card_number":          "card number",
		"items[0].billing-zip": "items 0 billing zip",
	}
	for in, want := range cases {
		if got := strings.Join(splitWords(in), " "); got != want {
			t.Errorf("splitWords(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHintMatch(t *testing.T) {
	hs := mkHints(phrases([]string{"email_address", "card_number", "ssn"}))
	for field, want := range map[string]string{
		"emailaddress": "email_address", "e_mail_address": "email_address", "CardNumber": "card_number",
		"payload.user.ssn": "ssn", "cardinality": "", "ssns": "", "lessn": "",
	} {
		got, _ := hintMatch(hs, splitWords(field))
		if got != want {
			t.Errorf("hintMatch(%q) = %q, want %q", field, got, want)
		}
	}
}

func TestWilson(t *testing.T) {
	if w := wilson(100, 100); w < 0.96 || w > 0.97 {
		t.Errorf("wilson(100,100) = %v", w)
	}
	if w := wilson(0, 10); w != 0 {
		t.Errorf("wilson(0,10) = %v", w)
	}
	if a, b := wilson(5, 5), wilson(50, 50); a >= b {
		t.Errorf("more evidence must raise the bound: %v %v", a, b)
	}
}

func TestMergeAndAmbiguous(t *testing.T) {
	e := defaultEngine(t)
	loc := piimap.Location{Store: "s", Name: "a.log"}
	a := []piimap.Finding{{Loc: loc, Type: "email", Confidence: 0.9, Hits: 10, Sampled: 100, Evidence: []string{"x"}}}
	b := []piimap.Finding{{Loc: loc, Type: "email", Confidence: 0.7, Hits: 10, Sampled: 50, Evidence: []string{"x", "y"}},
		{Loc: loc, Type: "phone", Confidence: 0.6, Hits: 1, Sampled: 50}}
	m := Merge(a, b)
	if len(m) != 2 || m[0].Hits != 20 || m[0].Sampled != 150 || m[0].Confidence != 0.8 || len(m[0].Evidence) != 2 {
		t.Fatalf("Merge = %+v", m)
	}
	if !e.Ambiguous([]piimap.Finding{{Confidence: 0.55, Sampled: 100}}) || e.Ambiguous([]piimap.Finding{{Confidence: 0.97, Sampled: 100}}) {
		t.Error("Ambiguous")
	}
}
