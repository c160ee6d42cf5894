package classifiers

import "github.com/piimap/piimap/classifiers/validate"

// number handles a digit run starting at i. The run extends over digits
// joined by one consistent separator ('-', ' ', '.', '/'); its group
// lengths decide which validators see it: dotted quads → IP, 3-2-4 → SSN,
// 4-4-4-4 / 4-6-5 / 13–19 digits → card, 3-3-4 or leading 0 → phone,
// 4-2-2 / 2-2-4 → date, d.ddd → coordinates, a short number before a
// capitalised word → street address.
func (s *scanner) number(i int) int {
	d := s.data
	n := len(d)
	if s.attachedBefore(i) {
		return s.skipToken(i)
	}
	if i+4 < n && isHexB(d[i+1]) {
		// 00-1a-2b-3c-4d-5e, 3c:22:…, 001a.2b3c.4d5e
		if d[i+2] == '-' || d[i+2] == ':' {
			if e := s.macAt(i + 2); e > 0 {
				return e
			}
		} else if d[i+4] == '.' && i+14 <= n && len(s.e.fast[kindMAC]) > 0 && !s.attachedAfter(i+14) && s.add(kindMAC, i, i+14, 0) {
			return i + 14
		}
	}
	var ends [8]int
	var groups [8]int
	ng, digits := 0, 0
	var sep byte
	j := i
	for {
		k := j
		for k < n && isDigitB(d[k]) {
			k++
		}
		if ng < len(groups) {
			groups[ng], ends[ng] = k-j, k
		}
		ng++
		digits += k - j
		j = k
		if j+1 < n && isDigitB(d[j+1]) && ng < len(groups) && digits <= 19 {
			c := d[j]
			if c == '-' || c == ' ' || c == '.' || c == '/' {
				if sep == 0 || c == sep {
					sep = c
					j++
					continue
				}
			}
		}
		break
	}
	if ng > len(groups) {
		ng = len(groups)
	}
	end := j
	if s.attachedAfter(end) && sep == ' ' && ng > 1 {
		// "4111 1111 1111 1111 12/29": the last group belongs to the next token
		ng--
		end = ends[ng-1]
	}
	if s.attachedAfter(end) {
		// 221B Baker Street
		if ng == 1 && digits <= 5 && end+1 < n && isUpperB(d[end]) && d[end+1] == ' ' && len(s.e.fast[kindAddress]) > 0 {
			if e := s.address(i, end+1); e > 0 {
				return e
			}
		}
		return s.skipToken(end)
	}
	g := groups[:ng]
	switch {
	case sep == '.' && ng == 4 && g[0] <= 3 && g[1] <= 3 && g[2] <= 3 && g[3] <= 3:
		s.add(kindIP, i, end, 0)
		return end
	case sep == '.' && ng == 2 && g[0] <= 3 && g[1] >= 3:
		if e := s.geo(i, end); e > 0 {
			return e
		}
		return end
	case ng == 1 && digits <= 2 && end+2 < n && d[end] == ' ' && isUpperB(d[end+1]) || ng == 1 && digits <= 5 && end+2 < n && d[end] == ' ' && isUpperB(d[end+1]):
		if digits <= 2 {
			if e := s.textDate(i, end); e > 0 {
				return e
			}
		}
		if e := s.address(i, end); e > 0 {
			return e
		}
		return end
	}
	// A run joined by '-', '.' or '/' is one token: its shape must match
	// exactly (123-45-6780-12 is not an SSN). Space-joined runs may carry
	// an unrelated number after the candidate.
	exact := ng == 3 || sep == ' '
	if ng == 3 && (sep == '-' || sep == '/' || sep == '.') && (g[0] == 4 && g[1] == 2 && g[2] == 2 || g[0] == 2 && g[1] == 2 && g[2] == 4) {
		s.add(kindDate, i, ends[2], 0)
		return end
	}
	if sep == '.' && len(s.e.fast[kindPhone]) > 0 {
		// Dotted phone numbers, as people write them: 415.555.2671,
		// 1.415.555.2671, 01.42.68.53.00. Taken like bare digits, so the
		// rule's context word is required (a dotted run is also a version
		// or an amount), and libphonenumber still decides.
		switch {
		case ng == 3 && g[0] == 3 && g[1] == 3 && g[2] == 4,
			ng == 4 && g[0] == 1 && d[i] == '1' && g[1] == 3 && g[2] == 3 && g[3] == 4,
			ng == 5 && d[i] == '0' && g[0] == 2 && g[1] == 2 && g[2] == 2 && g[3] == 2 && g[4] == 2:
			if s.add(kindPhone, i, end, fBare|fWeak) {
				return end
			}
		}
	}
	if sep == '.' || sep == '/' {
		return end
	}
	// SSN: 3-2-4 with '-' or ' ', or nine bare digits.
	if ng >= 3 && exact && g[0] == 3 && g[1] == 2 && g[2] == 4 {
		if s.add(kindSSN, i, ends[2], 0) {
			return ends[2]
		}
	}
	if ng == 1 && digits == 9 && s.add(kindSSN, i, end, fBare) {
		return end
	}
	// Cards: groups of four (last 1–4), 4-6-5, 4-6-4, or 13–19 bare digits.
	if e := cardEnd(g, ends[:ng], sep); e > 0 {
		fl := 0
		if ng == 1 {
			fl = fWeak
		}
		if s.add(kindCard, i, e, fl) {
			return e
		}
	}
	// Phones: NANP 3-3-4 (optionally 1-3-3-4), national numbers with a trunk
	// 0 grouped by spaces or dashes, or bare digits with context.
	if len(s.e.fast[kindPhone]) > 0 {
		switch {
		case ng >= 3 && exact && g[0] == 3 && g[1] == 3 && g[2] == 4:
			if s.add(kindPhone, i, ends[2], fWeak) {
				return ends[2]
			}
		case ng >= 4 && (ng == 4 || sep == ' ') && g[0] == 1 && d[i] == '1' && g[1] == 3 && g[2] == 3 && g[3] == 4:
			if s.add(kindPhone, i, ends[3], fWeak) {
				return ends[3]
			}
		case d[i] == '0' && ng >= 2 && digits >= 9 && digits <= 12:
			if s.add(kindPhone, i, end, fWeak) {
				return end
			}
		case ng == 1 && digits >= 9 && digits <= 11:
			if s.add(kindPhone, i, end, fBare|fWeak) {
				return end
			}
		}
	}
	return end
}

// cardEnd returns the end of a card-shaped prefix of the groups, or 0.
func cardEnd(g, ends []int, sep byte) int {
	if len(g) == 1 {
		if g[0] >= 13 && g[0] <= 19 {
			return ends[0]
		}
		return 0
	}
	if sep != ' ' && sep != '-' || g[0] != 4 {
		return 0
	}
	if len(g) >= 3 && g[1] == 6 && (g[2] == 5 || g[2] == 4) {
		return ends[2]
	}
	total := 4
	for k := 1; k < len(g); k++ {
		if g[k] == 4 {
			total += 4
			if total >= 16 && (k+1 == len(g) || g[k+1] > 4 || total+g[k+1] > 19) {
				return ends[k]
			}
			continue
		}
		if g[k] < 4 && total >= 12 && total+g[k] >= 13 {
			return ends[k]
		}
		return 0
	}
	return 0
}

// geo handles "lat, lon" starting at the decimal data[i:end] (a sign in
// front is included).
func (s *scanner) geo(i, end int) int {
	d := s.data
	n := len(d)
	if len(s.e.fast[kindGeo]) == 0 {
		return 0
	}
	a := i
	if a > 0 && (d[a-1] == '-' || d[a-1] == '+') && (a < 2 || !alnum[d[a-2]]) {
		a--
	}
	k := end
	if k < n && d[k] == ',' {
		k++
	} else {
		return 0
	}
	if k < n && d[k] == ' ' {
		k++
	}
	if k < n && (d[k] == '-' || d[k] == '+') {
		k++
	}
	m := k
	for m < n && isDigitB(d[m]) {
		m++
	}
	if m == k || m-k > 3 || m >= n || d[m] != '.' {
		return 0
	}
	m++
	f := m
	for m < n && isDigitB(d[m]) {
		m++
	}
	if m-f < 3 || s.attachedAfter(m) {
		return 0
	}
	if s.add(kindGeo, a, m, 0) {
		return m
	}
	return 0
}

// textDate handles "12 March 1985" starting at the day data[i:end].
func (s *scanner) textDate(i, end int) int {
	d := s.data
	n := len(d)
	if len(s.e.fast[kindDate]) == 0 {
		return 0
	}
	k := end + 1
	for k < n && k-end < 11 && (isLowerB(d[k]) || isUpperB(d[k])) {
		k++
	}
	if k+5 > n || d[k] != ' ' {
		return 0
	}
	y := k + 1
	for y < n && y-k <= 5 && isDigitB(d[y]) {
		y++
	}
	if y-k-1 != 4 || s.attachedAfter(y) {
		return 0
	}
	if s.add(kindDate, i, y, 0) {
		return y
	}
	return 0
}

// address handles "221B Baker Street" / "42 Maple Drive" / "12 rue de
// Rivoli": a house number then up to six words ending in a street type.
func (s *scanner) address(i, end int) int {
	d := s.data
	n := len(d)
	if len(s.e.fast[kindAddress]) == 0 {
		return 0
	}
	k := end
	last := 0
	for w := 0; w < 6 && k < n && d[k] == ' '; w++ {
		a := k + 1
		b := a
		for b < n && (isLowerB(d[b]) || isUpperB(d[b]) || d[b] >= 0x80) {
			b++
		}
		if b == a {
			break
		}
		word := s.str(a, b)
		if w == 0 {
			switch word {
			case "rue", "Rue", "avenue", "calle", "Calle", "via", "Via", "rua", "Rua":
				// continental: house number first, then street type, then name
				e := b
				for x := 0; x < 3 && e < n && d[e] == ' ' && e+1 < n && (isLowerB(d[e+1]) || isUpperB(d[e+1])); x++ {
					e++
					for e < n && (isLowerB(d[e]) || isUpperB(d[e]) || d[e] >= 0x80) {
						e++
					}
				}
				if s.add(kindAddress, i, e, 0) {
					return e
				}
				return 0
			}
		}
		if w > 0 && validate.StreetSuffix(word) {
			last = b
			if b < n && d[b] == '.' {
				last = b + 1
			}
			break
		}
		k = b
	}
	if last == 0 || s.attachedAfter(last) && d[last] != '.' {
		return 0
	}
	if s.add(kindAddress, i, last, 0) {
		return last
	}
	return 0
}

// plus handles '+' followed by a digit: an international phone number.
func (s *scanner) plus(i int) int {
	d := s.data
	n := len(d)
	if i+1 >= n || !isDigitB(d[i+1]) || len(s.e.fast[kindPhone]) == 0 || i > 0 && alnum[d[i-1]] {
		return i + 1
	}
	return s.phoneRun(i, fIntl)
}

// paren handles "(415) 555-2671".
func (s *scanner) paren(i int) int {
	d := s.data
	n := len(d)
	if i+5 >= n || !isDigitB(d[i+1]) || !isDigitB(d[i+2]) || !isDigitB(d[i+3]) || d[i+4] != ')' || len(s.e.fast[kindPhone]) == 0 {
		return i + 1
	}
	return s.phoneRun(i, fWeak)
}

// phoneRun takes the longest run of digits and phone punctuation at i,
// then tries it and up to two shorter prefixes (cut at separators).
func (s *scanner) phoneRun(i int, fl int) int {
	d := s.data
	n := len(d)
	j := i + 1
	for j < n && j-i < 26 {
		c := d[j]
		if isDigitB(c) || (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') && j+1 < n && (isDigitB(d[j+1]) || d[j+1] == '(' || c == ')' && d[j+1] == ' ') {
			j++
			continue
		}
		break
	}
	for j > i && !isDigitB(d[j-1]) {
		j--
	}
	if s.attachedAfter(j) {
		return s.skipToken(j)
	}
	runEnd := j
	for try := 0; try < 3 && j > i; try++ {
		if s.add(kindPhone, i, j, fl) {
			return j
		}
		// drop the last group ("+1 415-555-2671 12 items"), keeping at
		// least nine digits: shorter cuts are never whole numbers
		k := j - 1
		for k > i && isDigitB(d[k]) {
			k--
		}
		for k > i && !isDigitB(d[k-1]) {
			k--
		}
		digits := 0
		for x := i; x < k; x++ {
			if isDigitB(d[x]) {
				digits++
			}
		}
		if digits < 9 {
			break
		}
		j = k
	}
	// The run was written as one number (+CC…, (NPA)…): its digits are not
	// re-read as other candidates.
	return runEnd
}

// colon handles ':' inside a hex run: MAC (00:1a:2b:3c:4d:5e) or IPv6.
func (s *scanner) colon(i int) int {
	d := s.data
	n := len(d)
	if e := s.macAt(i); e > 0 {
		return e
	}
	if len(s.e.fast[kindIP]) == 0 {
		return i + 1
	}
	a := i
	for a > 0 && i-a < 40 && (isHexB(d[a-1]) || d[a-1] == ':') {
		a--
	}
	if a > 0 && alnum[d[a-1]] {
		return i + 1
	}
	b := i + 1
	for b < n && b-a < 46 && (isHexB(d[b]) || d[b] == ':' || d[b] == '.' && b+1 < n && isDigitB(d[b+1])) {
		b++
	}
	if b < n && alnum[d[b]] {
		return i + 1
	}
	colons, hex, double := 0, 0, false
	for k := a; k < b; k++ {
		switch {
		case d[k] == ':':
			colons++
			if k+1 < b && d[k+1] == ':' {
				double = true
			}
		case isHexB(d[k]):
			hex++
		}
	}
	if colons < 2 || hex < 5 || !double && colons != 7 {
		return i + 1
	}
	if s.add(kindIP, a, b, 0) {
		return b
	}
	return i + 1
}

// dash handles '-': MAC with dashes, PEM private-key blocks.
func (s *scanner) dash(i int) int {
	if e := s.macAt(i); e > 0 {
		return e
	}
	d := s.data
	if i+10 < len(d) && d[i+1] == '-' && d[i+4] == '-' && string(d[i:i+10]) == "-----BEGIN" && len(s.e.fast[kindToken]) > 0 {
		end := i + 10
		for end < len(d) && end-i < 80 && d[end] != '\n' {
			end++
		}
		if s.add(kindToken, i, end, 0) {
			return end
		}
	}
	return i + 1
}

// macAt checks for a MAC address whose first separator is at i.
func (s *scanner) macAt(i int) int {
	d := s.data
	if i < 2 || i+15 > len(d) || len(s.e.fast[kindMAC]) == 0 || d[i+3] != d[i] || d[i+12] != d[i] {
		return 0
	}
	a := i - 2
	if !isHexB(d[a]) || !isHexB(d[a+1]) || a > 0 && alnum[d[a-1]] || s.attachedAfter(a+17) {
		return 0
	}
	if s.add(kindMAC, a, a+17, 0) {
		return a + 17
	}
	return 0
}
