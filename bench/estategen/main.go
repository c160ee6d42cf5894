package main

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	ss3 "github.com/piimap/piimap/scanner/s3"
)

// state names everything the estate created, for clean and for the
// benchmark harness.
type state struct {
	Dir         string `json:"dir"`
	Config      string `json:"config"`
	People      string `json:"people"`
	Postgres    string `json:"postgres"`
	MySQL       string `json:"mysql"`
	Redis       string `json:"redis"`
	NATS        string `json:"nats"`
	S3          string `json:"s3"`
	PGDB        string `json:"pg_db,omitempty"`
	MyDB        string `json:"mysql_db,omitempty"`
	RedisPrefix string `json:"redis_prefix,omitempty"`
	Stream      string `json:"stream,omitempty"`
	Bucket      string `json:"bucket,omitempty"`
	Bytes       int64  `json:"bytes"`
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	dir := flag.String("dir", "", "estate directory (created; must not exist)")
	size := flag.Int64("size", 5200, "approximate bytes of logs and objects, in MB (10^6 bytes)")
	users := flag.Int("users", 5000, "data subjects")
	days := flag.Int("days", 45, "days of logs (each day: 2 services × 4 rotated files locally, 4 event parts and 4 archived logs in S3)")
	seed := flag.Uint64("seed", 1, "random seed")
	cleanOnly := flag.Bool("clean", false, "remove the estate named by DIR/state.json (databases, bucket, keys, stream, directory)")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "estategen: -dir is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	if *cleanOnly {
		err = cleanDir(ctx, *dir)
	} else {
		err = generate(ctx, *dir, *size*1_000_000, *users, *days, *seed)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "estategen:", err)
		os.Exit(1)
	}
}

func cleanDir(ctx context.Context, dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		return err
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return err
	}
	err = clean(ctx, st)
	return errors.Join(err, os.RemoveAll(dir))
}

func saveState(st state) error {
	b, _ := json.MarshalIndent(st, "", "  ")
	return os.WriteFile(filepath.Join(st.Dir, "state.json"), b, 0o600)
}

func generate(ctx context.Context, dir string, size int64, users, days int, seed uint64) (err error) {
	dir, err = filepath.Abs(dir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("%s exists; clean it first", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var sfx [4]byte
	_, _ = crand.Read(sfx[:])
	suffix := hex.EncodeToString(sfx[:])
	st := state{Dir: dir, Config: filepath.Join(dir, "piimap.yaml"), People: filepath.Join(dir, "people.json"),
		Postgres: env("PIIMAP_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		MySQL:    env("PIIMAP_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test"),
		Redis:    env("PIIMAP_TEST_REDIS", "redis://127.0.0.1:6379/0"),
		NATS:     env("PIIMAP_TEST_NATS", "nats://127.0.0.1:4222"),
		S3:       env("PIIMAP_TEST_S3", "s3://?endpoint=http://127.0.0.1:7070&use_path_style=true&region=us-east-1"),
	}
	// Record each name before creating it, so that clean removes whatever
	// a failed run left.
	st.PGDB, st.MyDB = "piimap_lkb_"+suffix, "piimap_lkb_"+suffix
	st.RedisPrefix, st.Stream, st.Bucket = "piimaplkb:"+suffix+":", "piimap_lkb_"+suffix, "piimap-lkb-"+suffix
	if err := saveState(st); err != nil {
		return err
	}
	start := time.Now()
	ps := people(users, days, seed)
	pb, _ := json.Marshal(ps)
	if err := os.WriteFile(st.People, pb, 0o600); err != nil {
		return err
	}

	urls := map[string]string{}
	if urls["app"], err = loadPostgres(ctx, st.Postgres, st.PGDB, ps); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if urls["crm"], err = loadMariaDB(ctx, st.MySQL, st.MyDB, ps); err != nil {
		return fmt.Errorf("mariadb: %w", err)
	}
	if urls["wh"], err = loadDuckDB(ctx, filepath.Join(dir, "warehouse.duckdb"), ps); err != nil {
		return fmt.Errorf("duckdb: %w", err)
	}
	if urls["cache"], err = loadRedis(ctx, st.Redis, st.RedisPrefix, ps); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	if urls["events"], err = loadNATS(ctx, st.NATS, st.Stream, ps); err != nil {
		return fmt.Errorf("nats: %w", err)
	}
	conn, lakeURL, err := s3Bucket(ctx, st.S3, st.Bucket)
	if err != nil {
		return fmt.Errorf("s3: %w", err)
	}
	defer conn.Close()
	fmt.Printf("structured stores loaded (%d people) in %s\n", users, time.Since(start).Round(time.Millisecond))

	logs := filepath.Join(dir, "lake", "logs")
	slots := active(ps, days)
	localPer := size * 60 / 100 / int64(days*8)
	eventsPer := size * 22 / 100 / int64(days*4)
	archivePer := size * 18 / 100 / int64(days*4)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	for d := range days {
		for q := range 4 {
			s := slot{day: d, quarter: q, people: slots[d][q]}
			r := rand.New(rand.NewPCG(seed, uint64(d*4+q)))
			g.Go(func() error {
				for _, svc := range []struct {
					name string
					line func(*rand.Rand, []byte, *person) []byte
				}{{"auth", authLine}, {"api", apiLine}} {
					p := filepath.Join(logs, svc.name, dayName(d), fmt.Sprintf("%s-%s-%d.log", svc.name, dayName(d), q))
					if err := writeFile(p, func(w io.Writer) error { return writeLog(w, r, s, localPer, svc.line) }); err != nil {
						return err
					}
				}
				key := fmt.Sprintf("events/dt=%s/part-%d.jsonl", dayName(d), q)
				if err := putObject(gctx, conn, key, func(w io.Writer) error { return writeEvents(w, r, s, eventsPer) }); err != nil {
					return fmt.Errorf("s3 %s: %w", key, err)
				}
				key = fmt.Sprintf("archive/%s/app-%d.log", dayName(d), q)
				return putObject(gctx, conn, key, func(w io.Writer) error { return writeLog(w, r, s, archivePer, authLine) })
			})
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if st.Bytes, err = estateBytes(ctx, dir, conn); err != nil {
		return err
	}
	if err := saveState(st); err != nil {
		return err
	}
	cfg := fmt.Sprintf(`graph: %s
stores:
  - name: logs
    url: %q
  - name: lake
    url: %q
  - name: app
    url: %q
    identity: {email: public.customers.email, user_id: public.customers.user_id, phone: public.customers.phone}
  - name: crm
    url: %q
  - name: wh
    url: %q
  - name: cache
    url: %q
  - name: events
    url: %q
`, filepath.Join(dir, "graph"), "file://"+logs, lakeURL, urls["app"], urls["crm"], urls["wh"], urls["cache"], urls["events"])
	if err := os.WriteFile(st.Config, []byte(cfg), 0o600); err != nil {
		return err
	}
	fmt.Printf("estate of %.2f GB written to %s in %s (config %s)\n", float64(st.Bytes)/1e9, dir,
		time.Since(start).Round(time.Second), st.Config)
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// estateBytes sums the local files and the bucket's objects.
func estateBytes(ctx context.Context, dir string, conn *ss3.Conn) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	it := conn.Bucket.List(nil)
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		n += obj.Size
	}
}
