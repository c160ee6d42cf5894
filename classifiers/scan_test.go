package classifiers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/rules"
)

type gotSpan struct{ typ, text string }

func spans(e *Engine, s string) []gotSpan {
	var out []gotSpan
	e.Spans([]byte(s), func(sp piimap.Span) { out = append(out, gotSpan{sp.Type, s[sp.Start:sp.End]}) })
	return out
}

func TestSpans(t *testing.T) {
	e := defaultEngine(t)
	cases := []struct {
		in   string
		want []gotSpan
	}{
		{"mail jane.doe@example.com now", []gotSpan{{"email", "jane.doe@example.com"}}},
		{"<a@b.co>,<c.d@e.org>", []gotSpan{{"email", "a@b.co"}, {"email", "c.d@e.org"}}},
		{"call +1 415-555-2671 or (415) 555-2672", []gotSpan{{"phone", "+1 415-555-2671"}, {"phone", "(415) 555-2672"}}},
		{"sms +44 20 7946 0958, 12 times", []gotSpan{{"phone", "+44 20 7946 0958"}}},
		{"sms +44 20 7946 0958 12 times", []gotSpan{{"phone", "+44 20 7946 0958"}}}, // a known limit of the matcher
		// glued to a digit group before it, a number is the tail of a
		// longer one, as the request matcher reads it
		// (TestEveryReportedPhoneIsErasable)
		{"call (11)961234567", nil},
		{"Tel.: +44 (0)20 7946 0958", []gotSpan{{"phone", "+44 (0)20 7946 0958"}}},
		{"sms +1 454-382-2810 (unassigned area code)", nil},
		{"ssn=123-45-6780;", []gotSpan{{"national_id.us_ssn", "123-45-6780"}}},
		{"card 4111 1111 1111 1111 12/29", []gotSpan{{"credit_card", "4111 1111 1111 1111"}}},
		{"pan 4111111111111111.", []gotSpan{{"credit_card", "4111111111111111"}}},
		{"iban GB82 WEST 1234 5698 7654 32 ok", []gotSpan{{"iban", "GB82 WEST 1234 5698 7654 32"}}},
		{"pay DE89 3704 0044 0532 0130 00 EUR 12", []gotSpan{{"iban", "DE89 3704 0044 0532 0130 00"}}},
		{"ids 123-45-6780-12 415-555-2671-9 2024-01-15-3", nil},
		{"from 10.1.2.3:443 and [2001:db8::1]", []gotSpan{{"ip_address", "10.1.2.3"}, {"ip_address", "2001:db8::1"}}},
		{"nino AB 12 34 56 C.", []gotSpan{{"national_id.uk_nino", "AB 12 34 56 C"}}},
		{"mac=00:1a:2b:3c:4d:5e", []gotSpan{{"mac_address", "00:1a:2b:3c:4d:5e"}}},
		{"dob 1985-03-12", []gotSpan{{"date_of_birth", "1985-03-12"}}},
		{"gps -33.8688, 151.2093", []gotSpan{{"geo_coordinates", "-33.8688, 151.2093"}}},
		{"ship to 221B Baker Street, London", []gotSpan{{"postal_address", "221B Baker Street"}}},
		{"key AKIAIOSFODNN7EXAMPLE used", []gotSpan{{"credential", "AKIAIOSFODNN7EXAMPLE"}}},
		{"password=hunter2!x", []gotSpan{{"credential", "hunter2!x"}}},
		{"export DB_PASSWORD=s3cr3t-value", []gotSpan{{"credential", "s3cr3t-value"}}},

		// hard negatives
		{"trace 550e8400-e29b-41d4-a716-446655440000 done", nil},
		{"order ORD-000123 sku SKU-AB-1234 shipped", nil},
		{"2024-01-15T10:23:45.123Z INFO ts=1700000000 took 1534ms", nil},
		{"app version 1.2.3.4 build 10.4.0.2 agent/1.2.3.4 v1.2.3.4", nil},
		{"ref 4111111111111112 id 1234567812345670", nil},
		{"ids 000-12-3456 666-12-3456 912-34-5678", nil},
		{"invoice date 12/03/1985 total 12.50", nil},
		{"std::vector<int> a::b", nil},
		{"sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", nil},
	}
	for _, c := range cases {
		got := spans(e, c.in)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("Spans(%q)\n got %v\nwant %v", c.in, got, c.want)
		}
	}
}

// TestContextWholeWords: a context word inside a longer word does not count.
func TestContextWholeWords(t *testing.T) {
	r := rules.Rule{
		ID: "acme_license", Type: "drivers_license", Pattern: `\b[A-Z][0-9]{7}\b`,
		Keywords: []string{"lic", "license"}, Context: []string{"lic", "license", "driver"}, RequireContext: true,
		TruePositives:  []string{"lic D1234567", "license: X7654321", "driver license Q1111111"},
		FalsePositives: []string{"duplicate D1234567", "public D1234567", "D1234567"},
	}
	e, err := New([]rules.Rule{r}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := spans(e, "duplicate D1234567"); got != nil {
		t.Errorf("substring context fired: %v", got)
	}
	if got := spans(e, "lic D1234567"); len(got) != 1 || got[0].text != "D1234567" {
		t.Errorf("whole-word context missed: %v", got)
	}
}

// TestSpansInvariants: spans in bounds, sorted, on arbitrary bytes.
func TestSpansInvariants(t *testing.T) {
	e := defaultEngine(t)
	data := genLog(newGen(3), 200<<10)
	data = append(data, []byte("\xff\xfe bad utf8 \xc3\x28 jane@example.com \xed\xa0\x80")...)
	checkSpans(t, e, data)
}

func checkSpans(t testing.TB, e *Engine, data []byte) {
	prev := -1
	e.Spans(data, func(sp piimap.Span) {
		if sp.Start < 0 || sp.End > len(data) || sp.Start >= sp.End {
			t.Fatalf("span out of bounds: %+v (len %d)", sp, len(data))
		}
		if sp.Start < prev {
			t.Fatalf("spans not sorted: %d after %d", sp.Start, prev)
		}
		if sp.Confidence < e.Threshold() || sp.Confidence > 1 {
			t.Fatalf("confidence %v", sp.Confidence)
		}
		prev = sp.Start
	})
}

func TestClassifyText(t *testing.T) {
	e := defaultEngine(t)
	data := []byte("a jane@example.com\nb bob@example.org\nc nothing\nssn 123-45-6780\n")
	fs := e.Classify(piimap.Record{Loc: piimap.Location{Store: "s", Name: "app.log"}, Data: data})
	if len(fs) != 2 || fs[0].Type != "email" || fs[0].Hits != 2 || fs[0].Sampled != 4 || fs[1].Type != piimap.TypeUSSSN {
		t.Fatalf("Classify text = %+v", fs)
	}
	if fs[0].Masked != "j***@e***.com" || fs[1].Masked != "***-**-6780" {
		t.Errorf("masked %q %q", fs[0].Masked, fs[1].Masked)
	}
	for _, f := range fs {
		for _, ev := range f.Evidence {
			if strings.Contains(ev, "@") || strings.Contains(ev, "6780") {
				t.Errorf("raw value in evidence %q", ev)
			}
		}
	}
}
