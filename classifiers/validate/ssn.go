package validate

// ssnReserved are numbers the SSA voided after they were printed in
// advertising or are otherwise well-known fakes.
var ssnReserved = map[string]bool{
	"078051120": true, // Woolworth wallet insert
	"219099999": true, // SSA pamphlet
	"457555462": true, // LifeLock advertising
	"123456789": true,
}

// SSN reports whether s is a US Social Security number under the SSA rules:
// nine digits written ddd-dd-dddd, ddd dd dddd or plain; area neither 000,
// 666 nor 900–999; group not 00; serial not 0000; not one of the numbers
// voided after use in advertising; not nine identical digits.
func SSN(s string) bool {
	var d [9]byte
	switch len(s) {
	case 9:
		for i := 0; i < 9; i++ {
			if !isDigit(s[i]) {
				return false
			}
			d[i] = s[i]
		}
	case 11:
		sep := s[3]
		if (sep != '-' && sep != ' ') || s[6] != sep {
			return false
		}
		j := 0
		for i := 0; i < 11; i++ {
			if i == 3 || i == 6 {
				continue
			}
			if !isDigit(s[i]) {
				return false
			}
			d[j] = s[i]
			j++
		}
	default:
		return false
	}
	return ssnDigits(d)
}

func ssnDigits(d [9]byte) bool {
	area := int(d[0]-'0')*100 + int(d[1]-'0')*10 + int(d[2]-'0')
	if area == 0 || area == 666 || area >= 900 {
		return false
	}
	if d[3] == '0' && d[4] == '0' {
		return false
	}
	if d[5] == '0' && d[6] == '0' && d[7] == '0' && d[8] == '0' {
		return false
	}
	same := true
	for _, c := range d[1:] {
		if c != d[0] {
			same = false
			break
		}
	}
	return !same && !ssnReserved[string(d[:])]
}
