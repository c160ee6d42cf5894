// Command cmd writes a labelled free-text corpus (package textcorpus) as
// JSON Lines:
//
//	go run ./bench/textcorpus/cmd -flavour dev|heldout -n 2000 -seed 1 -out FILE.jsonl
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/piimap/piimap/bench/textcorpus"
)

func main() {
	flavour := flag.String("flavour", textcorpus.FlavourDev, "corpus flavour: dev (for tuning) or heldout (never tuned on)")
	n := flag.Int("n", 2000, "number of documents")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("out", "-", "output file (- for stdout)")
	flag.Parse()
	if err := run(*flavour, *n, *seed, *out); err != nil {
		fmt.Fprintln(os.Stderr, "textcorpus:", err)
		os.Exit(1)
	}
}

func run(flavour string, n int, seed uint64, out string) error {
	docs, err := textcorpus.Generate(flavour, n, seed)
	if err != nil {
		return err
	}
	var w io.Writer = os.Stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return fmt.Errorf("create corpus: %w", err)
		}
		defer f.Close()
		w = f
	}
	if err := textcorpus.WriteJSONL(w, docs); err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && out != "-" {
		return f.Close()
	}
	return nil
}
