package classifiers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
)

// TestPhonesAndCardsAsWritten (issue 15, item 3): the phone and card
// shapes the scanner reports as people write them ("089/12345678",
// "ph 415 5552671", "4111 11111111 1111", "4111.1111.1111.1111" next to a
// card word) are found at the same offsets by the request matcher
// (identifier.TextSpans), which erasure uses to find a subject's values
// in text; and the look-alikes are not reported. Failures print offsets,
// never the values.
func TestPhonesAndCardsAsWritten(t *testing.T) {
	e := defaultEngine(t)
	for i, tc := range []struct {
		text, value, typ string
		kind, region, id string // identifier kind, region and canonical value
	}{
		{"Tel.: 089/12345678", "089/12345678", piimap.TypePhone, identifier.Phone, "DE", "+498912345678"},
		{"Rückruf unter 0171/6781719 erbeten", "0171/6781719", piimap.TypePhone, identifier.Phone, "DE", "+491716781719"},
		{"Fax 030/1234567", "030/1234567", piimap.TypePhone, identifier.Phone, "DE", "+49301234567"},
		{"ph 415 5552671", "415 5552671", piimap.TypePhone, identifier.Phone, "US", "+14155552671"},
		{"ph: 415 5552671 after 5pm", "415 5552671", piimap.TypePhone, identifier.Phone, "US", "+14155552671"},
		{"call me on 212 4567890 tomorrow", "212 4567890", piimap.TypePhone, identifier.Phone, "US", "+12124567890"},
		{"llamar al 912 345 678 por la tarde", "912 345 678", piimap.TypePhone, identifier.Phone, "ES", "+34912345678"},
		{"Tel.: 912 34 56 78", "912 34 56 78", piimap.TypePhone, identifier.Phone, "ES", "+34912345678"},
		{"tél. 514 555-1234", "514 555-1234", piimap.TypePhone, identifier.Phone, "CA", "+15145551234"},
		{"Portable : 438 821-8121", "438 821-8121", piimap.TypePhone, identifier.Phone, "CA", "+14388218121"},
		{"Mobil: (0151) 82902135", "(0151) 82902135", piimap.TypePhone, identifier.Phone, "DE", "+4915182902135"},
		{"Sie erreichen mich unter (0711) 877510", "(0711) 877510", piimap.TypePhone, identifier.Phone, "DE", "+49711877510"},
		{"call me on 0044 20 7946 0958 tomorrow", "0044 20 7946 0958", piimap.TypePhone, identifier.Phone, "US", "+442079460958"},
		{"tel 00 44 20 7946 0958", "00 44 20 7946 0958", piimap.TypePhone, identifier.Phone, "US", "+442079460958"},
		{"téléphone 0033 1 42 68 53 00", "0033 1 42 68 53 00", piimap.TypePhone, identifier.Phone, "FR", "+33142685300"},
		{"Telefon 0049-89-12345678", "0049-89-12345678", piimap.TypePhone, identifier.Phone, "DE", "+498912345678"},
		{"tel 00442079460958", "00442079460958", piimap.TypePhone, identifier.Phone, "GB", "+442079460958"},
		{"card 4111 11111111 1111 charged", "4111 11111111 1111", piimap.TypeCreditCard, identifier.Card, "", "4111111111111111"},
		{"paid with 5500 00555555 5559", "5500 00555555 5559", piimap.TypeCreditCard, identifier.Card, "", "5500005555555559"},
		{"visa 4111.1111.1111.1111 exp 12/29", "4111.1111.1111.1111", piimap.TypeCreditCard, identifier.Card, "", "4111111111111111"},
		{"Kreditkarte: 4111.1111.1111.1111.", "4111.1111.1111.1111", piimap.TypeCreditCard, identifier.Card, "", "4111111111111111"},
		{"card no 5500.0055.5555.5559 on file", "5500.0055.5555.5559", piimap.TypeCreditCard, identifier.Card, "", "5500005555555559"},
		{"paid with 4111  1111 1111 1111 yesterday", "4111  1111 1111 1111", piimap.TypeCreditCard, identifier.Card, "", "4111111111111111"},
		{"card 4111 - 1111 - 1111 - 1111 exp 12/29", "4111 - 1111 - 1111 - 1111", piimap.TypeCreditCard, identifier.Card, "", "4111111111111111"},
		{"Karte 5500  0055  5555  5559.", "5500  0055  5555  5559", piimap.TypeCreditCard, identifier.Card, "", "5500005555555559"},
		{"amex 3782 - 822463 - 10005 ok", "3782 - 822463 - 10005", piimap.TypeCreditCard, identifier.Card, "", "378282246310005"},
		{"card 4111 1111 1111 1111 123 (cvv)", "4111 1111 1111 1111", piimap.TypeCreditCard, identifier.Card, "", "4111111111111111"},
		{"card 4111111111111111 123", "4111111111111111", piimap.TypeCreditCard, identifier.Card, "", "4111111111111111"},
		{"card 5500  0055  5555  5559 1234", "5500  0055  5555  5559", piimap.TypeCreditCard, identifier.Card, "", "5500005555555559"},
	} {
		at := strings.Index(tc.text, tc.value)
		want := fmt.Sprintf("[%d,%d)", at, at+len(tc.value))
		got := ""
		e.Spans([]byte(tc.text), func(s piimap.Span) {
			if s.Type == tc.typ {
				got += fmt.Sprintf("[%d,%d)", s.Start, s.End)
			}
		})
		if got != want {
			t.Errorf("case %d: scanner %s spans %q, want %q", i, tc.typ, got, want)
		}
		ids := ""
		for _, s := range identifier.TextSpans(tc.kind, tc.text, []string{tc.id}, tc.region) {
			ids += fmt.Sprintf("[%d,%d)", s.Start, s.End)
		}
		if tc.value[0] == '(' {
			// a phone run starts at its first digit: "(0711) 877510" is
			// found from the 0
			want = fmt.Sprintf("[%d,%d)", at+1, at+len(tc.value))
		}
		if ids != want {
			t.Errorf("case %d: identifier.TextSpans %q, want %q (the scanner's span)", i, ids, want)
		}
	}
	for i, tc := range []struct{ text, typ string }{
		{"build 4111.1111.1111.1111 deployed", piimap.TypeCreditCard}, // dotted, no card word
		{"card 4111.1111.1111.1112 declined", piimap.TypeCreditCard},  // Luhn fails
		{"card 4111 11111111 1112 declined", piimap.TypeCreditCard},   // Luhn fails
		{"card 1234 56781234 5670 test", piimap.TypeCreditCard},       // Luhn ok, no issuer
		{"version 4111.1111.1111.1111.2 rolled out", piimap.TypeCreditCard},
		{"batch 415 5552671 processed", piimap.TypePhone},  // 3-7 needs a phone word
		{"order 00442079460958 shipped", piimap.TypePhone}, // bare 00 digits need a phone word
		{"id 0000 1234 5678 90", piimap.TypePhone},         // 000 is no prefix
		{"Az. 0815/4711 vom 12.03.", piimap.TypePhone},     // too short
		{"Seite 0123/456789012345", piimap.TypePhone},      // too long
		{"ph 123 4567890", piimap.TypePhone},               // libphonenumber: no such area
		{"ratio 415/5552671", piimap.TypePhone},            // no trunk 0
		{"total 912 345 678 units", piimap.TypePhone},      // 3-3-3 needs a phone word
		{"see note (0815) and 2024", piimap.TypePhone},
		{"rows 912 34 56 78 99", piimap.TypePhone},
		{"card 4111 - 1111 - 1111 - 1112 declined", piimap.TypeCreditCard}, // Luhn fails
		{"ref 4111  1111  1111  1111  4 stored", piimap.TypeCreditCard},    // 17 digits
		{"ref 4111 1111 1111 1111 4 stored", piimap.TypeCreditCard},        // 17 digits
		{"card 4111-1111-1111-1111-123", piimap.TypeCreditCard},            // a dashed group goes on with the number
		{"card 4111   1111 1111 1111", piimap.TypeCreditCard},              // three spaces: no join
	} {
		e.Spans([]byte(tc.text), func(s piimap.Span) {
			if s.Type == tc.typ {
				t.Errorf("negative case %d: %s span at [%d,%d)", i, s.Type, s.Start, s.End)
			}
		})
	}
}
