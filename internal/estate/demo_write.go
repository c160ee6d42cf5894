package estate

import (
	"bufio"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/marcboeker/go-duckdb" // the demo warehouse
	"github.com/parquet-go/parquet-go"
)

var appVersions = []string{"1.2.3.4", "2.14.3.1021", "3.0.0.17", "1.9.12.4", "4.1.0.250"}

func (g *generator) version() string { return appVersions[g.r.IntN(len(appVersions))] }

func (g *generator) epoch() int64 { return 1_700_000_000 + g.r.Int64N(30_000_000) }

func (g *generator) sku() string {
	return fmt.Sprintf("SKU-%c%c-%04d", 'A'+g.r.IntN(26), 'A'+g.r.IntN(26), g.r.IntN(10000))
}

// warehouse writes warehouse.duckdb: customers, orders (FK) and a table
// derived from customers.
func (g *generator) warehouse(ctx context.Context) error {
	path := filepath.Join(g.dir, "warehouse.duckdb")
	for _, p := range []string{path, path + ".wal"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("estate: %w", err)
		}
	}
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return fmt.Errorf("estate: open warehouse: %w", err)
	}
	defer db.Close()
	ddl := []string{
		`CREATE TABLE customers (id INTEGER PRIMARY KEY, user_id VARCHAR UNIQUE NOT NULL, full_name VARCHAR,
			email VARCHAR, phone VARCHAR, date_of_birth DATE, street_address VARCHAR, city VARCHAR, postcode VARCHAR,
			ssn VARCHAR, card_number VARCHAR, iban VARCHAR, signup_ip VARCHAR, marketing_opt_in BOOLEAN,
			account_uuid VARCHAR, created_at BIGINT, app_version VARCHAR)`,
		`CREATE TABLE orders (order_id INTEGER PRIMARY KEY, order_number VARCHAR, customer_id INTEGER REFERENCES customers(id),
			sku VARCHAR, amount DECIMAL(10,2), created_at BIGINT, shipping_address VARCHAR, gift_card_no VARCHAR,
			reference_code VARCHAR)`,
	}
	for _, q := range ddl {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("estate: create: %w", err)
		}
	}
	const wh = StoreWarehouse
	cust := newBatch(db, "customers", 17)
	for i, p := range g.people {
		if err := cust.add(ctx, p.ID, p.UserID, p.FullName(), p.Email, p.Phone, p.DOB.Format("2006-01-02"),
			p.Street, p.City, p.Postcode, p.SSN, p.Card, p.IBAN, p.SignupIP, p.MarketingOptIn,
			uuidv4(g.r), g.epoch(), g.version()); err != nil {
			return err
		}
		g.add(i, wh, "main.customers")
	}
	if err := cust.flush(ctx); err != nil {
		return err
	}
	orders := newBatch(db, "orders", 9)
	orderID := 0
	for i, p := range g.people {
		for n := g.r.IntN(6); n > 0; n-- {
			orderID++
			if err := orders.add(ctx, orderID, fmt.Sprintf("ORD-%08d", 10_000_000+orderID*7), p.ID, g.sku(),
				fmt.Sprintf("%d.%02d", 5+g.r.IntN(500), g.r.IntN(100)), g.epoch(),
				fmt.Sprintf("%s, %s %s", p.Street, p.City, p.Postcode), notLuhn(g.r), badSSN(g.r)); err != nil {
				return err
			}
			g.add(i, wh, "main.orders")
		}
	}
	if err := orders.flush(ctx); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE marketing_audience AS
		SELECT user_id, email, full_name, city FROM customers WHERE marketing_opt_in ORDER BY id`); err != nil {
		return fmt.Errorf("estate: create marketing_audience: %w", err)
	}
	for i, p := range g.people {
		if p.MarketingOptIn {
			g.add(i, wh, "main.marketing_audience")
		}
	}
	if _, err := db.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return fmt.Errorf("estate: checkpoint: %w", err)
	}
	g.fields(wh, "main.customers", map[string]string{
		"user_id": "user_id", "full_name": "person_name", "email": "email", "phone": "phone",
		"date_of_birth": "date_of_birth", "street_address": "postal_address", "ssn": "national_id.us_ssn",
		"card_number": "credit_card", "iban": "iban", "signup_ip": "ip_address",
	}, "account_uuid", "created_at", "app_version")
	g.fields(wh, "main.orders", map[string]string{"shipping_address": "postal_address"},
		"order_number", "sku", "amount", "created_at", "gift_card_no", "reference_code")
	g.fields(wh, "main.marketing_audience", map[string]string{
		"user_id": "user_id", "email": "email", "full_name": "person_name"})
	return nil
}

// batch inserts rows with multi-row VALUES statements.
type batch struct {
	db    *sql.DB
	table string
	cols  int
	args  []any
}

func newBatch(db *sql.DB, table string, cols int) *batch {
	return &batch{db: db, table: table, cols: cols}
}

func (b *batch) add(ctx context.Context, vals ...any) error {
	b.args = append(b.args, vals...)
	if len(b.args) >= 500*b.cols {
		return b.flush(ctx)
	}
	return nil
}

func (b *batch) flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", b.cols), ",") + ")"
	rows := strings.TrimSuffix(strings.Repeat(row+",", len(b.args)/b.cols), ",")
	if _, err := b.db.ExecContext(ctx, "INSERT INTO "+b.table+" VALUES "+rows, b.args...); err != nil {
		return fmt.Errorf("estate: insert %s: %w", b.table, err)
	}
	b.args = b.args[:0]
	return nil
}

// Event is one row of the Parquet event files.
type Event struct {
	EventID    string `parquet:"event_id"`
	TS         int64  `parquet:"ts"`
	EventType  string `parquet:"event_type"`
	UserID     string `parquet:"user_id"`
	Email      string `parquet:"email"`
	IP         string `parquet:"ip"`
	AppVersion string `parquet:"app_version"`
}

var eventTypes = []string{"login", "logout", "view_item", "add_to_cart", "purchase", "password_reset"}

func (g *generator) events(ctx context.Context) error {
	for day := 1; day <= 3; day++ {
		asset := fmt.Sprintf("events/day=2026-11-%02d/events.parquet", day)
		var rows []Event
		for i, p := range g.people {
			for n := g.r.IntN(4); n > 0; n-- {
				rows = append(rows, Event{EventID: uuidv4(g.r), TS: g.epoch() * 1000, UserID: p.UserID, Email: p.Email,
					EventType: eventTypes[g.r.IntN(len(eventTypes))], IP: g.ip(p), AppVersion: g.version()})
				g.add(i, StoreFiles, asset)
			}
		}
		path := filepath.Join(g.dir, "files", filepath.FromSlash(asset))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("estate: %w", err)
		}
		if err := parquet.WriteFile(path, rows, parquet.MaxRowsPerRowGroup(1000)); err != nil {
			return fmt.Errorf("estate: write %s: %w", asset, err)
		}
		g.fields(StoreFiles, asset, map[string]string{"user_id": "user_id", "email": "email", "ip": "ip_address"},
			"event_id", "ts", "app_version")
	}
	return ctx.Err()
}

// ip is usually the subject's signup address, sometimes another.
func (g *generator) ip(p Person) string {
	if g.r.IntN(2) == 0 {
		return p.SignupIP
	}
	return fmt.Sprintf("%d.%d.%d.%d", 11+g.r.IntN(180), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
}

func (g *generator) export(ctx context.Context) error {
	const asset = "exports/customers_export.csv"
	f, err := os.Create(filepath.Join(g.dir, "files", asset))
	if err != nil {
		return fmt.Errorf("estate: %w", err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"user_id", "full_name", "email", "phone", "country", "account_ref", "exported_at"})
	for i, p := range g.people {
		if g.r.IntN(5) < 3 {
			name := p.FullName()
			if g.r.IntN(4) == 0 {
				name = strings.ToUpper(name)
			}
			_ = w.Write([]string{p.UserID, name, p.Email, p.Phone, "US", uuidv4(g.r), fmt.Sprint(g.epoch())})
			g.add(i, StoreFiles, asset)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("estate: write %s: %w", asset, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("estate: %w", err)
	}
	g.fields(StoreFiles, asset, map[string]string{"user_id": "user_id", "full_name": "person_name", "email": "email",
		"phone": "phone"}, "account_ref", "exported_at")
	return ctx.Err()
}

func (g *generator) ts() string {
	return time.Unix(g.epoch(), 0).UTC().Format(time.RFC3339)
}

// jsonLog writes JSONL application logs with PII inside "msg".
func (g *generator) jsonLog(ctx context.Context) error {
	const asset = "logs/app.jsonl"
	type line struct {
		TS        string `json:"ts"`
		Level     string `json:"level"`
		RequestID string `json:"request_id"`
		Version   string `json:"version"`
		UserID    string `json:"user_id,omitempty"`
		Msg       string `json:"msg"`
	}
	err := g.writeLines(asset, false, func(emit func(string, int)) {
		for n := 0; n < len(g.people)*4; n++ {
			l := line{TS: g.ts(), Level: "info", RequestID: uuidv4(g.r), Version: g.version()}
			who := -1
			switch g.r.IntN(5) {
			case 0:
				who = g.r.IntN(len(g.people))
				p := g.people[who]
				l.Msg = fmt.Sprintf("login ok for %s from %s", p.Email, g.ip(p))
			case 1:
				who = g.r.IntN(len(g.people))
				p := g.people[who]
				l.UserID = p.UserID
				l.Msg = fmt.Sprintf("password reset link sent to %s", p.Email)
			case 2:
				who = g.r.IntN(len(g.people))
				l.UserID = g.people[who].UserID
				l.Msg = fmt.Sprintf("checkout completed order ORD-%08d sku %s", 10_000_000+g.r.IntN(90_000_000), g.sku())
			case 3:
				l.Level = "warn"
				l.Msg = fmt.Sprintf("slow query took %dms build %s", 100+g.r.IntN(900), g.version())
			default:
				l.Msg = fmt.Sprintf("cache miss for key product:%s at %d", g.sku(), g.epoch())
			}
			raw, _ := json.Marshal(l)
			emit(string(raw), who)
		}
	})
	g.fields(StoreFiles, asset, map[string]string{"msg": "email", "user_id": "user_id"}, "request_id", "version")
	g.pii = append(g.pii, TruthField{Store: StoreFiles, Asset: asset, Field: "msg", Type: "ip_address"})
	return err
}

func (g *generator) textLogLine(emit func(string, int)) {
	ts := g.ts()
	switch g.r.IntN(6) {
	case 0:
		who := g.r.IntN(len(g.people))
		p := g.people[who]
		emit(fmt.Sprintf("%s INFO [auth] password reset requested by %s from %s", ts, p.Email, g.ip(p)), who)
	case 1:
		who := g.r.IntN(len(g.people))
		p := g.people[who]
		emit(fmt.Sprintf("%s INFO [sms] verification code sent to %s for %s", ts, p.Phone, p.UserID), who)
	case 2:
		emit(fmt.Sprintf("%s INFO [http] GET /api/orders/ORD-%08d 200 %dms trace=%s", ts,
			10_000_000+g.r.IntN(90_000_000), 1+g.r.IntN(300), uuidv4(g.r)), -1)
	case 3:
		emit(fmt.Sprintf("%s WARN [deploy] build %s rolled out at %d", ts, g.version(), g.epoch()), -1)
	case 4:
		emit(fmt.Sprintf("%s INFO [batch] reconciled gift card %s ref %s sku=%s", ts, notLuhn(g.r), badSSN(g.r), g.sku()), -1)
	default:
		emit(fmt.Sprintf("%s DEBUG [cache] evicted %d keys", ts, g.r.IntN(5000)), -1)
	}
}

func (g *generator) textLog(ctx context.Context) error {
	const asset = "logs/app.log"
	err := g.writeLines(asset, false, func(emit func(string, int)) {
		for n := 0; n < len(g.people)*5; n++ {
			g.textLogLine(emit)
		}
	})
	g.pii = append(g.pii, TruthField{Store: StoreFiles, Asset: asset, Type: "email"},
		TruthField{Store: StoreFiles, Asset: asset, Type: "phone"}, TruthField{Store: StoreFiles, Asset: asset, Type: "ip_address"})
	return err
}

func (g *generator) gzLog(ctx context.Context) error {
	const asset = "logs/archive/app-2026-10.log.gz"
	err := g.writeLines(asset, true, func(emit func(string, int)) {
		for n := 0; n < len(g.people)*2; n++ {
			g.textLogLine(emit)
		}
	})
	g.pii = append(g.pii, TruthField{Store: StoreFiles, Asset: asset, Type: "email"})
	return err
}

// writeLines writes the lines gen emits to asset; each line is counted for
// the subject index it names (-1 for none).
func (g *generator) writeLines(asset string, gz bool, gen func(emit func(string, int))) error {
	f, err := os.Create(filepath.Join(g.dir, "files", filepath.FromSlash(asset)))
	if err != nil {
		return fmt.Errorf("estate: %w", err)
	}
	var w io.Writer = f
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(f)
		w = zw
	}
	bw := bufio.NewWriter(w)
	gen(func(line string, who int) {
		bw.WriteString(line)
		bw.WriteByte('\n')
		g.add(who, StoreFiles, asset)
	})
	err = bw.Flush()
	if zw != nil && err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("estate: write %s: %w", asset, err)
	}
	return nil
}
