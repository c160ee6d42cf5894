package validate

import "strings"

// Luhn reports whether the decimal digits in s pass the Luhn mod-10
// check; every other byte is ignored, so custom rules can apply it to
// prefixed numbers (LC100000000008). A string without digits fails.
func Luhn(s string) bool {
	sum, n := 0, 0
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		d := int(c - '0')
		if n%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		n++
	}
	return n > 0 && sum%10 == 0
}

// Digits returns the decimal digits of s when s holds only digits and the
// separators in seps; ok is false otherwise. buf is reused when big enough.
func Digits(s string, seps string, buf []byte) (d []byte, ok bool) {
	d = buf[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			d = append(d, c)
		case indexByte(seps, c) >= 0:
		default:
			return d, false
		}
	}
	return d, true
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// CardNetwork names the payment network whose issuer range and length the
// digits fit, or "" when none does.
func CardNetwork(d []byte) string {
	n := len(d)
	if n < 12 || n > 19 {
		return ""
	}
	p := func(k int) int {
		v := 0
		for i := 0; i < k; i++ {
			v = v*10 + int(d[i]-'0')
		}
		return v
	}
	p1, p2, p3, p4, p6 := p(1), p(2), p(3), p(4), p(6)
	switch {
	case p1 == 4 && (n == 13 || n == 16 || n == 19):
		return "visa"
	case (p2 >= 51 && p2 <= 55 || p4 >= 2221 && p4 <= 2720) && n == 16:
		return "mastercard"
	case (p2 == 34 || p2 == 37) && n == 15:
		return "amex"
	case (p4 == 6011 || p2 == 65 || p3 >= 644 && p3 <= 649 || p6 >= 622126 && p6 <= 622925) && n >= 16:
		return "discover"
	case p4 >= 3528 && p4 <= 3589 && n >= 16:
		return "jcb"
	case (p3 >= 300 && p3 <= 305 || p2 == 36 || p2 == 38 || p2 == 39) && n >= 14:
		return "diners"
	case p2 == 62 && n >= 16:
		return "unionpay"
	case (p4 == 5018 || p4 == 5020 || p4 == 5038 || p4 == 5893 || p4 == 6304 || p4 == 6759 || p4 >= 6761 && p4 <= 6763) && n >= 12:
		return "maestro"
	}
	return ""
}

// CreditCard reports whether s is a payment card number: 12–19 digits,
// optionally grouped by spaces, dashes or dots, inside a known issuer range
// with that range's length, passing Luhn, and not a degenerate run such as
// all one digit.
func CreditCard(s string) bool {
	var buf [24]byte
	if len(s) > 23 && len(wideJoins.Replace(s)) > 23 {
		return false // at most 19 digits, sensibly grouped
	}
	d, ok := Digits(s, " -.", buf[:0])
	if !ok || CardNetwork(d) == "" || !luhnDigits(d) {
		return false
	}
	return !sameDigit(d)
}

// wideJoins folds the joins people write by hand between a card's groups
// ("4111 - 1111", "4111  1111") to one byte, for the length bound.
var wideJoins = strings.NewReplacer(" - ", "-", "  ", " ")

func luhnDigits(d []byte) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if (len(d)-1-i)%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

func sameDigit(d []byte) bool {
	for _, c := range d[1:] {
		if c != d[0] {
			return false
		}
	}
	return true
}
