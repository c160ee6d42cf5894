package idfilter

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/dchest/siphash"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
)

// Keyed hashing.
//
// A filter key is SipHash-2-4(k, class || value), where the 128-bit k is the
// first half of HMAC-SHA256(installation key, "piimap/idfilter/v1") and
// class is one byte naming how the value was canonicalised (see the class
// constants). SipHash is a PRF designed for short inputs: without the
// installation key a stored filter cannot be tested against guessed emails
// or phones, which is what an HMAC would give, at a tenth of its cost (an
// HMAC-SHA256 per candidate made extraction 3× slower than classification;
// see docs/BENCHMARKS.md). The HMAC step keeps filter keys independent of
// every other use of the installation key, and lineage/fingerprint keys
// its sketches the same way under its own label. The key ID (8 bytes of a
// second derived HMAC) is stored with each filter so that a filter built
// under another installation key is recognised and never trusted.

const hashLabel = "piimap/idfilter/v1"

// Key classes: the canonical forms a key is made of.
const (
	classEmail = 'e' // an email address, lower-cased
	classPhone = 'p' // the digits of a phone-shaped run or a cell, 7..MaxFormDigits of them
	classToken = 't' // a distinctive word run, or a prefixed number (u-0001)
)

// Shape limits. Extraction skips longer candidates; the lookup keys of
// longer values are not filterable.
const (
	MaxEmailLen    = 254 // RFC 5321 path limit
	MaxTokenLen    = 128 // one word run, or a prefixed number
	MaxPhoneLen    = 40  // a written phone number, separators included
	MinPhoneDigits = 7   // shorter digit strings are never phone matches (identifier.PhoneForms)
	MaxPhoneDigits = 15  // E.164
	// MaxFormDigits bounds the digit strings extraction keeps: a phone
	// form can be an international (IDD) prefix of up to three digits and
	// a 15-digit E.164 number ("011 44 20 7946 0999"). Longer forms have no
	// lookup key.
	MaxFormDigits   = 18
	minTokenLen     = 6
	minNumericToken = 10
)

// Hasher computes filter keys under one installation key. It is safe for
// concurrent use.
type Hasher struct {
	k0, k1 uint64
	id     string
}

// NewHasher derives the filter key from the installation key.
func NewHasher(installationKey []byte) (*Hasher, error) {
	if len(installationKey) < 16 {
		return nil, fmt.Errorf("idfilter: installation key too short (%d bytes): %w", len(installationKey), piimap.ErrConfig)
	}
	m := hmac.New(sha256.New, installationKey)
	m.Write([]byte(hashLabel))
	sum := m.Sum(nil)
	m.Reset()
	m.Write([]byte(hashLabel + "/key-id"))
	id := hex.EncodeToString(m.Sum(nil)[:8])
	return &Hasher{k0: binary.LittleEndian.Uint64(sum[:8]), k1: binary.LittleEndian.Uint64(sum[8:16]), id: id}, nil
}

// KeyID identifies the installation key the hasher was made with.
func (h *Hasher) KeyID() string { return h.id }

func (h *Hasher) key1(class byte, v string) uint64 {
	buf := make([]byte, 0, 1+len(v))
	return h.sum(append(append(buf, class), v...))
}

// sum is SipHash-2-4 of b (Aumasson & Bernstein, 2012), by
// github.com/dchest/siphash.
func (h *Hasher) sum(b []byte) uint64 { return siphash.Hash(h.k0, h.k1, b) }

// Lookup keys. Each returns the key under which the filter holds a value
// if the value occurs in the unit the way the executor matches it, and false
// when the value's shape is one extraction does not guarantee to capture
// (the caller must then not rule the location out). The executor picks the
// function from its match semantics (executor/planning/filters.go).

// EmailKey is the key of an email matched as a whole token in text, or
// compared case-insensitively with a whole cell: ASCII only, one @, a local
// part of letters, digits and ._%+-, a domain of letters, digits, -_%+ and
// dots.
func (h *Hasher) EmailKey(v string) (uint64, bool) {
	v = strings.TrimSpace(v)
	if !emailShaped(v) {
		return 0, false
	}
	return h.key1(classEmail, asciiLower(v)), true
}

// CellEmailKey is the key of a value compared exactly or case-insensitively
// with a whole trimmed cell, when it holds an @ (a key or reference value
// that is an email).
func (h *Hasher) CellEmailKey(v string) (uint64, bool) {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "@") || len(v) > MaxEmailLen {
		return 0, false
	}
	return h.key1(classEmail, strings.ToLower(v)), true
}

// PhoneFormKey is the key of one digit form of a phone number
// (identifier.PhoneForms): the form of a phone run in text or of a whole
// cell's digits. A canonical phone value may match under any of its forms,
// so a location can be ruled out only when the keys of all of them are
// absent. Forms of 7 to MaxFormDigits ASCII digits have a key.
func (h *Hasher) PhoneFormKey(form string) (uint64, bool) {
	if len(form) < MinPhoneDigits || len(form) > MaxFormDigits || identifier.Digits(form) != form {
		return 0, false
	}
	return h.key1(classPhone, form), true
}

// PhoneKey is the key of a phone number matched literally as written, as a
// token in text or a cell, or by its digits against a whole cell: digits,
// spaces, + and the separators - . ( ) / only, 7 to MaxFormDigits digits.
// A canonical (E.164) value matched by identifier.TextSpans or MatchCell
// is looked up by PhoneFormKey of each of its forms instead.
func (h *Hasher) PhoneKey(v string) (uint64, bool) {
	v = strings.TrimSpace(v)
	if len(v) > MaxPhoneLen {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if !isPhone(v[i]) {
			return 0, false
		}
	}
	return h.DigitsKey(v)
}

// DigitsKey is the key of a value compared by its digits with a whole cell
// (phones) or exactly with it: the value's digits, 7 to MaxFormDigits of
// them.
func (h *Hasher) DigitsKey(v string) (uint64, bool) {
	return h.PhoneFormKey(identifier.Digits(v))
}

// TokenKey is the key of a value matched exactly as a whole token (word
// boundaries on both sides) in text, or compared exactly with a whole cell:
// its longest distinctive word run, or, when no run is distinctive, its
// first prefixed number (a letters-only run, dashes, a digits-only run:
// "u-0001"). Any literal occurrence of the value has each of its word runs
// as a whole word run of the text, so extraction, which keeps every
// distinctive word run and every prefixed number, holds that key.
func (h *Hasher) TokenKey(v string) (uint64, bool) {
	v = strings.TrimSpace(v)
	best := ""
	var runs []span
	for i := 0; i < len(v); {
		if !isWord(v[i]) {
			i++
			continue
		}
		j := i
		for j < len(v) && isWord(v[j]) {
			j++
		}
		r := v[i:j]
		if len(r) <= MaxTokenLen && identifier.Distinctive(r) && len(r) > len(best) {
			best = r
		}
		runs = append(runs, span{i, j})
		i = j
	}
	if best != "" {
		return h.key1(classToken, best), true
	}
	for n := 1; n < len(runs); n++ {
		a, b := runs[n-1], runs[n]
		pair := v[a.start:b.end]
		if allDashes(v[a.end:b.start]) && allOf(v[a.start:a.end], bLetter) && allOf(v[b.start:b.end], bDigit) &&
			len(pair) >= minTokenLen && len(pair) <= MaxTokenLen {
			return h.key1(classToken, pair), true
		}
	}
	return 0, false
}

func allOf(s string, class uint8) bool {
	for i := 0; i < len(s); i++ {
		if byteClass[s[i]]&class == 0 {
			return false
		}
	}
	return s != ""
}

type span struct{ start, end int }

func emailShaped(v string) bool {
	at := strings.IndexByte(v, '@')
	if at <= 0 || at == len(v)-1 || len(v) > MaxEmailLen || strings.IndexByte(v[at+1:], '@') >= 0 {
		return false
	}
	for i := 0; i < at; i++ {
		if !isEmailLocal(v[i]) {
			return false
		}
	}
	for i := at + 1; i < len(v); i++ {
		if c := v[i]; c != '.' && !isEmailDomain(c) {
			return false
		}
	}
	return true
}

func allDashes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			return false
		}
	}
	return s != ""
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// Byte classes, mirroring the token rules of classifiers/identifier: word
// bytes bound whole tokens, email local and domain bytes bound whole
// emails, and phone bytes are digits and what may separate the digit groups
// of a phone run (identifier's SEP bytes, and + as well).
const (
	bWord = 1 << iota
	bDigit
	bEmailLocal
	bEmailDomain
	bPhone
	bLetter
)

// byteClass is built from classifiers/identifier's token rules, so the
// extraction over-approximates exactly the bytes the matcher treats as
// part of an email or a phone run.
var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		if identifier.IsWordByte(b) {
			t[c] |= bWord
		}
		if b >= '0' && b <= '9' {
			t[c] |= bDigit | bPhone
		}
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' {
			t[c] |= bLetter
		}
		if identifier.IsEmailLocalByte(b) {
			t[c] |= bEmailLocal
		}
		if identifier.IsEmailDomainByte(b) {
			t[c] |= bEmailDomain
		}
		if identifier.IsPhoneSep(b) || b == '+' {
			t[c] |= bPhone
		}
	}
	return t
}()

func isWord(c byte) bool        { return byteClass[c]&bWord != 0 }
func isEmailLocal(c byte) bool  { return byteClass[c]&bEmailLocal != 0 }
func isEmailDomain(c byte) bool { return byteClass[c]&bEmailDomain != 0 }
func isPhone(c byte) bool       { return byteClass[c]&bPhone != 0 }
