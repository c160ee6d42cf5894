package validate

import "net/netip"

// IP reports whether s is an IPv4 address in dotted-quad form or an IPv6
// address, as net/netip parses them (no leading zeros, no zone for text
// candidates), excluding the unspecified address.
func IP(s string) bool {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return false
	}
	return !a.IsUnspecified()
}

// IPv4 reports whether s is a dotted-quad IPv4 address.
func IPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4() && !a.IsUnspecified()
}

// IPv6 reports whether s is an IPv6 address (including IPv4-mapped forms).
func IPv6(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6() && a.Zone() == "" && !a.IsUnspecified()
}

// VersionLikeQuad reports whether the dotted quad s has the profile of a
// software version rather than an address: every component below 64 and the
// first below 30 (1.2.3.4, 10.4.0.12). One such value proves nothing; a
// whole column of them does.
func VersionLikeQuad(s string) bool {
	part, parts, digits := 0, 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 {
				return false
			}
			if part >= 64 || parts == 0 && part >= 30 {
				return false
			}
			parts++
			part, digits = 0, 0
			continue
		}
		if !isDigit(s[i]) {
			return false
		}
		part = part*10 + int(s[i]-'0')
		digits++
		if digits > 3 {
			return false
		}
	}
	return parts == 4
}
