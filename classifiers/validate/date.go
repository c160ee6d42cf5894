package validate

import "time"

// monthNames are month names and abbreviations in English, German,
// French and Spanish, lower-cased (ASCII letters only: "märz", "février").
var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
	// German
	"januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mär": 3, "mai": 5, "juni": 6, "juli": 7,
	"okt": 10, "oktober": 10, "dez": 12, "dezember": 12,
	// French
	"janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "mars": 3, "avril": 4, "avr": 4,
	"juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10,
	"novembre": 11, "décembre": 12, "decembre": 12, "déc": 12,
	// Spanish
	"enero": 1, "ene": 1, "febrero": 2, "marzo": 3, "abril": 4, "abr": 4, "mayo": 5, "junio": 6, "julio": 7,
	"agosto": 8, "ago": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12, "dic": 12,
}

// Date parses the calendar dates people and databases write: yyyy-mm-dd
// (optionally followed by a time, as a DATE cast to text or a TIMESTAMP
// looks), yyyy/mm/dd, dd/mm/yyyy and mm/dd/yyyy (the day-first reading wins
// when both are possible), dd.mm.yyyy, dd-mm-yyyy, yyyymmdd, "12 March 1985"
// and "March 12, 1985". It reports the date and whether s is one.
func Date(s string) (time.Time, bool) {
	if len(s) > 10 && len(s) <= 35 && (s[10] == 'T' || s[10] == ' ') && isISODate(s[:10]) {
		s = s[:10]
	}
	var y, m, d int
	switch {
	case len(s) == 10 && isISODate(s):
		y, m, d = num(s[0:4]), num(s[5:7]), num(s[8:10])
	case len(s) == 10 && allDigitsAt(s, 0, 1, 3, 4, 6, 7, 8, 9) && (s[2] == '/' || s[2] == '.' || s[2] == '-') && s[5] == s[2]:
		a, b := num(s[0:2]), num(s[3:5])
		y = num(s[6:10])
		d, m = a, b
		if m > 12 {
			d, m = b, a
		}
	case len(s) == 8 && BareDigits(s):
		y, m, d = num(s[0:4]), num(s[4:6]), num(s[6:8])
	default:
		return textDate(s)
	}
	return mkDate(y, m, d)
}

func isISODate(s string) bool {
	return len(s) == 10 && allDigitsAt(s, 0, 1, 2, 3, 5, 6, 8, 9) && (s[4] == '-' || s[4] == '/') && s[7] == s[4]
}

func allDigitsAt(s string, idx ...int) bool {
	for _, i := range idx {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func num(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func mkDate(y, m, d int) (time.Time, bool) {
	if y < 1000 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31 February
		return time.Time{}, false
	}
	return t, true
}

// textDate handles "12 March 1985", "12 Mar 1985", "March 12, 1985" and
// the German, French and Spanish forms "6. Oktober 1943", "17 janvier
// 1957", "1er mai 1959", "4 de mayo de 1980".
func textDate(s string) (time.Time, bool) {
	if len(s) < 8 || len(s) > 26 {
		return time.Time{}, false
	}
	var f [3]string
	n, start := 0, -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != ' ' && s[i] != ',' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			w := s[start:i]
			start = -1
			if w == "de" && n > 0 { // "4 de mayo de 1980"
				continue
			}
			if n == 3 {
				return time.Time{}, false
			}
			f[n] = w
			n++
		}
	}
	if n == 3 && len(f[0]) > 1 && (f[0][len(f[0])-1] == '.' || len(f[0]) == 3 && f[0][1:] == "er") {
		f[0] = f[0][:len(f[0])-1] // "6." in German
		if f[0][len(f[0])-1] == 'e' {
			f[0] = f[0][:len(f[0])-1] // "1er" in French
		}
	}
	if n == 3 && len(f[1]) > 3 && f[1][len(f[1])-1] == '.' {
		f[1] = f[1][:len(f[1])-1] // "Okt.", "janv."
	}
	if n != 3 {
		return time.Time{}, false
	}
	lower := func(w string) string {
		b := []byte(w)
		for i, c := range b {
			if isUpper(c) {
				b[i] = c + 32
			}
		}
		return string(b)
	}
	if BareDigits(f[0]) && len(f[0]) <= 2 {
		if m, ok := monthNames[lower(f[1])]; ok && BareDigits(f[2]) && len(f[2]) == 4 {
			return mkDate(num(f[2]), m, num(f[0]))
		}
	}
	if m, ok := monthNames[lower(f[0])]; ok && BareDigits(f[1]) && len(f[1]) <= 2 && BareDigits(f[2]) && len(f[2]) == 4 {
		return mkDate(num(f[2]), m, num(f[1]))
	}
	return time.Time{}, false
}

// now is replaceable in tests.
var now = time.Now

// DOB reports whether s is a date that can be a living person's birth date:
// a Date between 120 years ago and today.
func DOB(s string) bool {
	t, ok := Date(s)
	if !ok {
		return false
	}
	n := now()
	return !t.After(n) && t.Year() >= n.Year()-120
}
