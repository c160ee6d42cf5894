package validate

import "strconv"

// decimal parses a signed decimal with at least minFrac fractional digits.
func decimal(s string, minFrac int) (float64, bool) {
	if len(s) == 0 || len(s) > 16 {
		return 0, false
	}
	i := 0
	if s[0] == '-' || s[0] == '+' {
		i++
	}
	intDigits, frac, dot := 0, 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c) && dot:
			frac++
		case isDigit(c):
			intDigits++
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	if intDigits == 0 || intDigits > 3 || frac < minFrac {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// Latitude reports whether s is a decimal latitude with at least two
// fractional digits in [-90, 90].
func Latitude(s string) bool {
	f, ok := decimal(s, 2)
	return ok && f >= -90 && f <= 90
}

// Longitude reports whether s is a decimal longitude with at least two
// fractional digits in [-180, 180].
func Longitude(s string) bool {
	f, ok := decimal(s, 2)
	return ok && f >= -180 && f <= 180
}

// GeoPair reports whether s is "lat,lon" (optionally with a space after the
// comma, or in parentheses) with at least three fractional digits each, in
// range, and not the 0,0 null island.
func GeoPair(s string) bool {
	if len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' {
		s = s[1 : len(s)-1]
	}
	comma := -1
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			if comma >= 0 {
				return false
			}
			comma = i
		}
	}
	if comma < 0 {
		return false
	}
	a, b := s[:comma], s[comma+1:]
	if len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	lat, ok1 := decimal(a, 3)
	lon, ok2 := decimal(b, 3)
	if !ok1 || !ok2 || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return false
	}
	return lat != 0 || lon != 0
}

// Geo reports whether s is a coordinate pair, or a single latitude or
// longitude (the field-level check behind lat/lon columns).
func Geo(s string) bool { return GeoPair(s) || Longitude(s) }
