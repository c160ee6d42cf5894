package identifier

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// TestPatternsInDatabases runs the SQL mirrors in PostgreSQL (AREs) and
// MariaDB (PCRE) on the table cases and on generated texts, as the
// executors apply them (EmailTokenPattern on the database's lower() of the
// text), and checks they agree with TextSpans as they do in Go (RE2), and
// that the phone cell key the handlers compute (regexp_replace removing
// [^0-9+]) is CellKey. Emails whose case differs beyond ASCII are checked
// against unicodeEmailCases' per-database results; in generated texts a
// lower() that may disagree with TextSpans' folding (emailFoldDiverges) is
// only held to not matching more, or not checked when it maps a non-ASCII
// rune to an ASCII letter. It needs the servers .ci/run starts:
// PIIMAP_TEST_POSTGRES and PIIMAP_TEST_MYSQL.
func TestPatternsInDatabases(t *testing.T) {
	type probe struct {
		kind, text, pattern string
		pg, maria, m520     bool // the result wanted in each database (m520: MariaDB under utf8mb4_unicode_520_ci)
		loose               bool // only a match where the wanted result is false is an error
	}
	var probes []probe
	r0 := rand.New(rand.NewPCG(13, 13))
	// cells: texts whose phone cell key the databases compute
	cells := []string{"+1 (213) 662-5868", "tel+213 662", "1+2136625868", "٣٤٥ １２３ 5", "\t+44\n20 7946 0999\r", "+ 213 662 5868", "+(213) 662-5868", ""}
	add := func(kind, text string, values []string, region string) {
		if kind == Phone && utf8.ValidString(text) && !strings.ContainsRune(text, 0) {
			cells = append(cells, text)
		}
		p := sqlPattern(kind, values, region)
		if p == "" || !utf8.ValidString(text) { // a text column holds valid UTF-8 only
			return
		}
		want := len(TextSpans(kind, text, values, region)) > 0
		loose := false
		if kind == Email {
			diverges, toASCII := emailFoldDiverges(text, values)
			if toASCII {
				return // unicodeEmailCases hold such texts, with each database's result
			}
			loose = diverges
		}
		probes = append(probes, probe{kind, text, p, want, want, want, loose})
	}
	for _, tc := range textCases {
		add(tc.kind, tc.text, tc.values, tc.region)
	}
	for _, tc := range numberTextCases {
		add(tc.kind, tc.text, tc.values, "")
	}
	for range 600 {
		var b strings.Builder
		for range 1 + r0.IntN(6) {
			b.WriteString(numberPieces[r0.IntN(len(numberPieces))])
		}
		kv := numberKindValues[r0.IntN(len(numberKindValues))]
		add(kv.kind, b.String(), kv.values, "")
	}
	for _, tc := range unicodeEmailCases {
		probes = append(probes, probe{Email, tc.text, sqlPattern(Email, []string{tc.value}, ""), tc.pg, tc.maria, tc.m520, false})
	}
	r := rand.New(rand.NewPCG(11, 11))
	pieces := randomPieces()
	for range 1500 {
		text := randomText(r, pieces)
		region := fuzzRegions[r.IntN(len(fuzzRegions))]
		add(Email, text, fuzzEmails, region)
		add(Phone, text, fuzzPhones, region)
		add(UserID, text, fuzzKeys, region)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	check := func(t *testing.T, db string, i int, p probe, got, want bool) {
		t.Helper()
		if got != want && (!p.loose || got) {
			t.Errorf("probe %d %s in %s: %s says %v, want %v", i, p.kind, mask(p.text), db, got, want)
		}
	}

	t.Run("postgres", func(t *testing.T) {
		u := os.Getenv("PIIMAP_TEST_POSTGRES")
		if u == "" {
			t.Skip("PIIMAP_TEST_POSTGRES is not set (.ci/run sets it)")
		}
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var ctype string
		if err := conn.QueryRow(ctx, "SELECT datctype FROM pg_database WHERE datname = current_database()").Scan(&ctype); err != nil {
			t.Fatal(err)
		}
		t.Logf("database ctype %s", ctype)
		for i, c := range cells {
			var got string
			if err := conn.QueryRow(ctx, "SELECT regexp_replace($1::text, '[^0-9+]', '', 'g')", c).Scan(&got); err != nil {
				t.Fatalf("cell %d: %v", i, err)
			}
			if want := CellKey(Phone, c); got != want {
				t.Errorf("cell %d %s: Postgres key %s, CellKey %s", i, mask(c), mask(got), mask(want))
			}
		}
		for i, p := range probes {
			q := "SELECT $1::text ~ $2::text"
			if p.kind == Email {
				q = "SELECT lower($1::text) ~ $2::text" // as executor/postgres
			}
			var got bool
			if err := conn.QueryRow(ctx, q, p.text, p.pattern).Scan(&got); err != nil {
				t.Fatalf("probe %d (%s): %v", i, p.kind, err)
			}
			check(t, "Postgres", i, p, got, p.pg)
		}
	})
	t.Run("mariadb", func(t *testing.T) {
		dsn := mysqlDSN(t, os.Getenv("PIIMAP_TEST_MYSQL"))
		db, err := sql.Open("mysql", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for i, c := range cells {
			var got string
			if err := db.QueryRowContext(ctx, "SELECT REGEXP_REPLACE(CONVERT(? USING utf8mb4), '[^0-9+]', '')", c).Scan(&got); err != nil {
				t.Fatalf("cell %d: %v", i, err)
			}
			if want := CellKey(Phone, c); got != want {
				t.Errorf("cell %d %s: MariaDB key %s, CellKey %s", i, mask(c), mask(got), mask(want))
			}
		}
		for i, p := range probes {
			// a binary collation: REGEXP follows the collation's case rule;
			// emails are lower-cased under the text's collation first, as
			// executor/mysql does
			q := "SELECT CONVERT(? USING utf8mb4) COLLATE utf8mb4_bin REGEXP ?"
			if p.kind == Email {
				q = "SELECT CONVERT(LOWER(CONVERT(? USING utf8mb4) COLLATE utf8mb4_general_ci) USING utf8mb4) COLLATE utf8mb4_bin REGEXP ?"
			}
			var got bool
			if err := db.QueryRowContext(ctx, q, p.text, p.pattern).Scan(&got); err != nil {
				t.Fatalf("probe %d (%s): %v", i, p.kind, err)
			}
			check(t, "MariaDB", i, p, got, p.maria)
			if p.kind != Email {
				continue
			}
			q = "SELECT CONVERT(LOWER(CONVERT(? USING utf8mb4) COLLATE utf8mb4_unicode_520_ci) USING utf8mb4) COLLATE utf8mb4_bin REGEXP ?"
			if err := db.QueryRowContext(ctx, q, p.text, p.pattern).Scan(&got); err != nil {
				t.Fatalf("probe %d (%s): %v", i, p.kind, err)
			}
			check(t, "MariaDB (unicode_520_ci)", i, p, got, p.m520)
		}
	})
	pos := 0
	for _, p := range probes {
		if p.pg {
			pos++
		}
	}
	t.Logf("%d probes, %d matching; %d phone cell keys", len(probes), pos, len(cells))
}

// sqlPattern returns the SQL mirror of kind's values (for emails, to be
// applied to the database's lower() of the text).
func sqlPattern(kind string, values []string, region string) string {
	switch kind {
	case Email:
		return EmailTokenPattern(values)
	case Phone:
		return PhoneTokenPattern(values, region)
	case Card, SSN, IBAN, NINO:
		return NumberTokenPattern(kind, values)
	}
	return KeyTokenPattern(values)
}

// mysqlDSN turns mysql://user:pass@host:port/db into a driver DSN, or
// skips the test.
func mysqlDSN(t *testing.T, raw string) string {
	t.Helper()
	if raw == "" {
		t.Skip("PIIMAP_TEST_MYSQL is not set (.ci/run sets it)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	c := mysql.NewConfig()
	c.Net, c.Addr, c.User = "tcp", u.Host, u.User.Username()
	c.Passwd, _ = u.User.Password()
	c.DBName = strings.TrimPrefix(u.Path, "/")
	return c.FormatDSN()
}

// randomPieces and randomText build texts from the pieces that decide a
// match (see TestRandomTexts).
func randomPieces() []string {
	var pieces []string
	for _, v := range fuzzPhones {
		pieces = append(pieces, PhoneForms(v, "GB")...)
		pieces = append(pieces, PhoneForms(v, "US")...)
		// the trunk 0 in brackets after the country code: "+44 (0)20…"
		if d := Digits(v); callingCodeLen([]byte(d)) > 0 {
			c := callingCodeLen([]byte(d))
			pieces = append(pieces, "+"+d[:c]+" (0)"+d[c:], "+"+d[:c]+"(0) "+d[c:])
		}
	}
	pieces = append(pieces, fuzzEmails...)
	pieces = append(pieces, fuzzKeys...)
	return append(pieces, " ", "-", ".", "(", ")", "/", "+", "x", "_", "@", "é", ",", "\n", "  ", "0", "1", "12", "ANN@EXAMPLE.COM", "jo", "-x1.y2-z",
		"+ ", "+(", "JÖRG@BÜCHER.EXAMPLE", "BJÖR\u212a@\u212aIEL.EXAMPLE", "\u212a", "Ö", "ſ")
}

func randomText(r *rand.Rand, pieces []string) string {
	var sb strings.Builder
	for range 1 + r.IntN(6) {
		p := pieces[r.IntN(len(pieces))]
		if len(p) > 3 && r.IntN(3) == 0 { // split a piece with a separator or a byte
			k := 1 + r.IntN(len(p)-1)
			p = p[:k] + []string{" ", "-", "  ", "(", ") ", ".", "x", "+", "1", "---", "(0)", " (0) "}[r.IntN(12)] + p[k:]
		}
		sb.WriteString(p)
	}
	return sb.String()
}
