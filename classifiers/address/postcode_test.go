package address

import "testing"

func TestValidPostcode(t *testing.T) {
	cases := []struct {
		country      Country
		code, region string
		want         bool
	}{
		{US, "20500", "DC", true},
		{US, "10118-0110", "NY", true},
		{US, "02108", "MA", true},
		{US, "99501", "AK", true},
		{US, "73301", "TX", true}, // 733 is Texas (Austin IRS)
		{US, "62701", "", true},
		{US, "62701", "TX", false},
		{US, "00123", "", false},
		{US, "1234", "", false},
		{US, "12345-678", "", false},
		{US, "62701", "ZZ", false},
		{GB, "NW1 6XE", "", true},
		{GB, "SW1A 1AA", "", true},
		{GB, "EC1A 1BB", "", true},
		{GB, "M1 1AE", "", true},
		{GB, "B33 8TH", "", true},
		{GB, "CR2 6XH", "", true},
		{GB, "DN55 1PT", "", true},
		{GB, "W1A 0AX", "", true},
		{GB, "GIR 0AA", "", true},
		{GB, "CR26XH", "", true},
		{GB, "QA1 1AA", "", false},  // Q never first
		{GB, "AJ1 1AA", "", false},  // J never second
		{GB, "W1I 0AX", "", false},  // I not allowed third in A9A
		{GB, "EC1C 1BB", "", false}, // C not allowed fourth in AA9A
		{GB, "NW1 6CE", "", false},  // C not allowed inward
		{GB, "ZZ1 1AA", "", false},  // no such area
		{GB, "nw1 6xe", "", false},  // upper case only
		{GB, "NW1 6X", "", false},
		{DE, "10115", "", true},
		{DE, "01067", "", true},
		{DE, "99084", "", true},
		{DE, "00123", "", false},
		{DE, "05123", "", false},
		{DE, "43123", "", false},
		{DE, "62123", "", false},
		{DE, "1011", "", false},
		{FR, "75001", "", true},
		{FR, "20000", "", true}, // Corsica (2A)
		{FR, "20200", "", true}, // Corsica (2B)
		{FR, "97400", "", true},
		{FR, "98000", "", true}, // Monaco
		{FR, "97900", "", false},
		{FR, "96000", "", false},
		{FR, "00100", "", false},
		{FR, "98100", "", false},
		{CA, "H3B 2C4", "QC", true},
		{CA, "M5V 2T6", "ON", true},
		{CA, "K1A0B1", "ON", true},
		{CA, "V6B-1A1", "BC", true},
		{CA, "X0A 0H0", "NU", true},
		{CA, "H3B 2C4", "ON", false},
		{CA, "D3B 2C4", "", false}, // D never used
		{CA, "W3B 2C4", "", false}, // W never first
		{CA, "H3O 2C4", "", false}, // O never used
		{CA, "H3B 2C4", "XX", false},
		{CA, "H3B  2C4", "", false},
		{"", "12345", "", false},
	}
	for _, c := range cases {
		if got := ValidPostcode(c.country, c.code, c.region); got != c.want {
			t.Errorf("ValidPostcode(%s, %d-byte code, %q) = %v, want %v", c.country, len(c.code), c.region, got, c.want)
		}
	}
}

// TestZIPRangesAreStates: every ZIP range names a known state and is a
// well-formed prefix range.
func TestZIPRangesAreStates(t *testing.T) {
	for st, rs := range zipRanges {
		if len(st) != 2 || !isUpper(st[0]) || !isUpper(st[1]) {
			t.Errorf("bad state code %q", st)
		}
		for _, r := range rs {
			if r[0] > r[1] || r[0] < 0 || r[1] > 999 {
				t.Errorf("%s: bad range %v", st, r)
			}
		}
	}
	for name, code := range usStateName {
		if _, ok := zipRanges[code]; !ok {
			t.Errorf("state %q → %q has no ZIP range", name, code)
		}
	}
	for name, code := range caProvinceName {
		if _, ok := caProvince[code]; !ok {
			t.Errorf("province %q → %q unknown", name, code)
		}
	}
}
