package estate

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	ss3 "github.com/piimap/piimap/scanner/s3"
)

// LookupOptions control the lookup estate.
type LookupOptions struct {
	Dir   string // created; must not exist
	Bytes int64  // approximate bytes of logs and objects
	Users int    // data subjects, at least 1
	Days  int    // days of logs, at least 1
	Seed  uint64 // same seed, same people and lines (database names differ)
	// Servers are the admin URLs of the loopback servers to load; empty
	// ones default to the PIIMAP_TEST_* variables, then to the .ci/run
	// addresses.
	Servers Servers
	// Progress receives a line per finished phase; nil discards them.
	Progress io.Writer
}

// Servers are the servers the lookup estate loads.
type Servers struct {
	Postgres, MySQL, Redis, NATS, S3 string
}

// LookupState names everything the lookup estate created, for
// CleanLookup and for the benchmark harness; it is Dir/state.json.
type LookupState struct {
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

func orEnv(v, name, def string) string {
	if v != "" {
		return v
	}
	return env(name, def)
}

// CleanLookup removes the lookup estate that dir/state.json names:
// databases, bucket, keys, stream, then the directory. It carries on past
// failures and reports them all.
func CleanLookup(ctx context.Context, dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		return fmt.Errorf("lookup estate: %w", err)
	}
	var st LookupState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("lookup estate: state %s: %w", filepath.Join(dir, "state.json"), err)
	}
	err = clean(ctx, st)
	return errors.Join(err, os.RemoveAll(dir))
}

func saveState(st LookupState) error {
	b, _ := json.MarshalIndent(st, "", "  ")
	return os.WriteFile(filepath.Join(st.Dir, "state.json"), b, 0o600)
}

// GenerateLookup writes the lookup estate and returns its state. The names
// are recorded in Dir/state.json before anything is created, so CleanLookup
// removes whatever a failed run left.
func GenerateLookup(ctx context.Context, opt LookupOptions) (*LookupState, error) {
	if opt.Users < 1 || opt.Days < 1 || opt.Bytes < 0 {
		return nil, fmt.Errorf("lookup estate: users and days must be at least 1 and bytes not negative, got %d, %d, %d",
			opt.Users, opt.Days, opt.Bytes)
	}
	dir, err := filepath.Abs(opt.Dir)
	if err != nil {
		return nil, fmt.Errorf("lookup estate: %w", err)
	}
	if _, err := os.Stat(dir); err == nil {
		return nil, fmt.Errorf("lookup estate: directory %s exists; clean it first", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lookup estate: %w", err)
	}
	st, err := generateLookup(ctx, dir, opt)
	if err != nil {
		return nil, fmt.Errorf("lookup estate: %w", err)
	}
	return st, nil
}

func generateLookup(ctx context.Context, dir string, opt LookupOptions) (_ *LookupState, err error) {
	size, users, days, seed := opt.Bytes, opt.Users, opt.Days, opt.Seed
	progress := opt.Progress
	if progress == nil {
		progress = io.Discard
	}
	var sfx [4]byte
	_, _ = crand.Read(sfx[:])
	suffix := hex.EncodeToString(sfx[:])
	sv := opt.Servers
	st := LookupState{Dir: dir, Config: filepath.Join(dir, "piimap.yaml"), People: filepath.Join(dir, "people.json"),
		Postgres: orEnv(sv.Postgres, "PIIMAP_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		MySQL:    orEnv(sv.MySQL, "PIIMAP_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test"),
		Redis:    orEnv(sv.Redis, "PIIMAP_TEST_REDIS", "redis://127.0.0.1:6379/0"),
		NATS:     orEnv(sv.NATS, "PIIMAP_TEST_NATS", "nats://127.0.0.1:4222"),
		S3:       orEnv(sv.S3, "PIIMAP_TEST_S3", "s3://?endpoint=http://127.0.0.1:7070&use_path_style=true&region=us-east-1"),
	}
	// Record each name before creating it, so that clean removes whatever
	// a failed run left.
	st.PGDB, st.MyDB = "piimap_lkb_"+suffix, "piimap_lkb_"+suffix
	st.RedisPrefix, st.Stream, st.Bucket = "piimaplkb:"+suffix+":", "piimap_lkb_"+suffix, "piimap-lkb-"+suffix
	if err := saveState(st); err != nil {
		return nil, err
	}
	start := time.Now()
	ps := lookupPeople(users, days, seed)
	pb, _ := json.Marshal(ps)
	if err := os.WriteFile(st.People, pb, 0o600); err != nil {
		return nil, err
	}

	urls := map[string]string{}
	if urls["app"], err = loadPostgres(ctx, st.Postgres, st.PGDB, ps); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if urls["crm"], err = loadMariaDB(ctx, st.MySQL, st.MyDB, ps); err != nil {
		return nil, fmt.Errorf("mariadb: %w", err)
	}
	if urls["wh"], err = loadDuckDB(ctx, filepath.Join(dir, "warehouse.duckdb"), ps); err != nil {
		return nil, fmt.Errorf("duckdb: %w", err)
	}
	if urls["cache"], err = loadRedis(ctx, st.Redis, st.RedisPrefix, ps); err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	if urls["events"], err = loadNATS(ctx, st.NATS, st.Stream, ps); err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	conn, lakeURL, err := s3Bucket(ctx, st.S3, st.Bucket)
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	defer conn.Close()
	fmt.Fprintf(progress, "structured stores loaded (%d people) in %s\n", users, time.Since(start).Round(time.Millisecond))

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
					line func(*rand.Rand, []byte, *LookupPerson) []byte
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
		return nil, err
	}
	if st.Bytes, err = estateBytes(ctx, dir, conn); err != nil {
		return nil, err
	}
	if err := saveState(st); err != nil {
		return nil, err
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
		return nil, err
	}
	fmt.Fprintf(progress, "estate of %.2f GB written to %s in %s (config %s)\n", float64(st.Bytes)/1e9, dir,
		time.Since(start).Round(time.Second), st.Config)
	return &st, nil
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
