package validate

// NINO reports whether s is a UK National Insurance number: two prefix
// letters (first not D, F, I, Q, U, V; second not D, F, I, O, Q, U, V; not
// BG, GB, KN, NK, NT, TN or ZZ), six digits and a suffix A–D. Spaces between
// the groups ("AB 12 34 56 C") are allowed; letters may be lower case.
func NINO(s string) bool {
	var b [9]byte
	j := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			continue
		}
		if j == 9 {
			return false
		}
		if isLower(c) {
			c -= 32
		}
		b[j] = c
		j++
	}
	if j != 9 {
		return false
	}
	p1, p2 := b[0], b[1]
	if !isUpper(p1) || !isUpper(p2) || !isUpper(b[8]) || b[8] > 'D' {
		return false
	}
	switch p1 {
	case 'D', 'F', 'I', 'Q', 'U', 'V':
		return false
	}
	switch p2 {
	case 'D', 'F', 'I', 'O', 'Q', 'U', 'V':
		return false
	}
	switch string(b[:2]) {
	case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
		return false
	}
	for _, c := range b[2:8] {
		if !isDigit(c) {
			return false
		}
	}
	return true
}
