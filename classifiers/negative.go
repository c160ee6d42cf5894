package classifiers

import (
	"strconv"

	"github.com/piimap/piimap/classifiers/validate"
	"github.com/piimap/piimap/rules"
)

// shapeOf names the negative shape of one value, or "" when it has none.
// Negative shapes are values that look like nothing personal however well
// they happen to pass a validator: a UUID's digit groups, an epoch
// timestamp's ten digits, a version's dotted quad, an order number.
func shapeOf(v string) string {
	switch {
	case validate.UUID(v):
		return rules.NegUUID
	case hexHash(v):
		return rules.NegHexHash
	case epoch(v):
		return rules.NegEpoch
	case version(v):
		return rules.NegVersion
	case code(v):
		return rules.NegCode
	}
	return ""
}

// hexHash: 32, 40, 56, 64, 96 or 128 hex digits (md5 … sha512).
func hexHash(v string) bool {
	switch len(v) {
	case 32, 40, 56, 64, 96, 128:
	default:
		return false
	}
	letters := 0
	for i := 0; i < len(v); i++ {
		if !isHexB(v[i]) {
			return false
		}
		if !isDigitB(v[i]) {
			letters++
		}
	}
	return letters > 0
}

// epoch: unix seconds (10 digits) or milliseconds (13 digits) between
// 2001-09-09 and 2033-05-18, optionally with a fraction.
func epoch(v string) bool {
	if i := indexByte(v, '.'); i > 0 {
		if !validate.BareDigits(v[i+1:]) {
			return false
		}
		v = v[:i]
	}
	if !validate.BareDigits(v) || v[0] != '1' {
		return false
	}
	return len(v) == 10 || len(v) == 13
}

// version: v1.2, 1.2.3, 1.2.3-beta, 1.2.3.4 (a lone dotted quad counts only
// when the column profile says so; see versionProfile).
func version(v string) bool {
	if len(v) > 0 && (v[0] == 'v' || v[0] == 'V') {
		v = v[1:]
	}
	if i := indexByte(v, '-'); i > 0 {
		v = v[:i]
	} else if i := indexByte(v, '+'); i > 0 {
		v = v[:i]
	}
	parts, digits, widest := 1, 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '.':
			if digits == 0 {
				return false
			}
			parts++
			digits = 0
		case isDigitB(c):
			digits++
			widest = max(widest, digits)
			if digits > 4 {
				return false
			}
		default:
			return false
		}
	}
	// 1.2 / 10.15 / 1.2.3 / 2024.1.15; a two-part number with a long
	// fraction is a decimal (52.5200), not a version.
	return digits > 0 && (parts == 3 || parts == 2 && widest <= 2)
}

// code: upper-case letter prefix(es) and a number joined by dashes or
// underscores: ORD-000123, SKU-AB-1234, INV_2024_0001.
func code(v string) bool {
	if len(v) < 5 || len(v) > 40 || !isUpperB(v[0]) {
		return false
	}
	seps, lastDigits := 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '-' || c == '_':
			if i == 0 || i == len(v)-1 || v[i-1] == '-' || v[i-1] == '_' {
				return false
			}
			seps++
			lastDigits = 0
		case isDigitB(c):
			lastDigits++
		case isUpperB(c):
			if lastDigits > 0 {
				lastDigits = -1000 // letters after digits in the last group
			}
		default:
			return false
		}
	}
	return seps > 0 && lastDigits >= 2
}

// stepped reports a column of integers issued by a counter: all distinct
// values integers, at least five of them, and either a dense arithmetic
// sequence (range over the gcd of the differences under 50 times the
// count) or a narrow band of large numbers.
func stepped(vals []string) bool {
	if len(vals) < 5 {
		return false
	}
	nums := make([]int64, 0, len(vals))
	for _, v := range vals {
		if !validate.BareDigits(v) || len(v) > 18 {
			return false
		}
		x, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return false
		}
		nums = append(nums, x)
	}
	lo, hi := nums[0], nums[0]
	for _, x := range nums {
		lo, hi = min(lo, x), max(hi, x)
	}
	var g int64
	for _, x := range nums {
		g = gcd(g, x-lo)
	}
	if g == 0 {
		return false
	}
	// dense (1,2,3…, 1000,1010,…) or narrow (4000000000001234…1299:
	// counter-issued numbers that share all but their last digits)
	return (hi-lo)/g < int64(50*len(nums)) || lo > 1_000_000 && (hi-lo) < lo/1000
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	if a < 0 {
		return -a
	}
	return a
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
