package validate

// MAC reports whether s is an EUI-48 MAC address written as six hex pairs
// separated consistently by ':' or '-', or as three dot-separated quads
// (Cisco style), excluding the all-zero and broadcast addresses.
func MAC(s string) bool {
	var b [12]byte
	n := 0
	switch len(s) {
	case 17:
		sep := s[2]
		if sep != ':' && sep != '-' {
			return false
		}
		for i := 0; i < 17; i++ {
			if i%3 == 2 {
				if s[i] != sep {
					return false
				}
				continue
			}
			if !isHex(s[i]) {
				return false
			}
			b[n] = lowerHex(s[i])
			n++
		}
	case 14:
		for i := 0; i < 14; i++ {
			if i == 4 || i == 9 {
				if s[i] != '.' {
					return false
				}
				continue
			}
			if !isHex(s[i]) {
				return false
			}
			b[n] = lowerHex(s[i])
			n++
		}
	default:
		return false
	}
	allZero, allF := true, true
	for _, c := range b {
		allZero = allZero && c == '0'
		allF = allF && c == 'f'
	}
	return !allZero && !allF
}

func lowerHex(c byte) byte {
	if c >= 'A' && c <= 'F' {
		return c + 32
	}
	return c
}
