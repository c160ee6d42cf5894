package validate

// UUID reports whether s is a canonical 8-4-4-4-12 hex UUID.
func UUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i]) {
				return false
			}
		}
	}
	return true
}

// UserID reports whether s looks like a subject key: a positive integer of
// at most 20 digits, a UUID, or a short alphanumeric id with an optional
// prefix ("u_1842", "cus_9fQ2x", "USR-000123") containing at least one
// digit and no spaces. It says nothing about whether s is personal: the
// user_id rule only applies it to fields whose name says they hold ids.
func UserID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	if BareDigits(s) {
		return len(s) <= 20 && !(len(s) > 1 && s[0] == '0' && BareDigits(s) && allZero(s))
	}
	if UUID(s) {
		return true
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			digits++
		case isUpper(c) || isLower(c):
		case c == '_' || c == '-' || c == ':' || c == '.':
			if i == 0 || i == len(s)-1 {
				return false
			}
		default:
			return false
		}
	}
	return digits > 0 && len(s) >= 3
}

func allZero(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}
