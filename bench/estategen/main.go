package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/piimap/piimap/internal/estate"
)

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
		err = estate.CleanLookup(ctx, *dir)
	} else {
		_, err = estate.GenerateLookup(ctx, estate.LookupOptions{Dir: *dir, Bytes: *size * 1_000_000,
			Users: *users, Days: *days, Seed: *seed, Progress: os.Stdout})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "estategen:", err)
		os.Exit(1)
	}
}
