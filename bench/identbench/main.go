// Command identbench times the identifier matcher (classifiers/identifier)
// on a corpus file, for bench/ident.sh, which runs ripgrep with the
// matcher's own SQL/regex mirror on the same file in the same run.
//
//	identbench -corpus FILE -kind phone -value +12136625868 [-region US] [-pattern]
//
// It prints "lines N seconds S" (lines with at least one span), or with
// -pattern the regular expression ripgrep is given.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/piimap/piimap/classifiers/identifier"
)

func main() {
	corpus := flag.String("corpus", "", "corpus file")
	kind := flag.String("kind", "phone", "identifier kind: phone or email")
	value := flag.String("value", "", "the identifier as given at intake")
	region := flag.String("region", "US", "phone region")
	pattern := flag.Bool("pattern", false, "print the regular expression mirror and exit")
	flag.Parse()
	v, err := identifier.Parse(*kind, *value, *region)
	if err != nil {
		fmt.Fprintln(os.Stderr, "identbench:", err)
		os.Exit(2)
	}
	values := []string{v}
	if *pattern {
		switch *kind {
		case identifier.Phone:
			fmt.Println(identifier.PhoneTokenPattern(values, *region))
		default:
			fmt.Println(identifier.EmailTokenPattern(values))
		}
		return
	}
	data, err := os.ReadFile(*corpus)
	if err != nil {
		fmt.Fprintln(os.Stderr, "identbench:", err)
		os.Exit(1)
	}
	t0 := time.Now()
	lines := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if len(identifier.TextSpans(*kind, sc.Text(), values, *region)) > 0 {
			lines++
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "identbench:", err)
		os.Exit(1)
	}
	fmt.Printf("lines %d seconds %.3f\n", lines, time.Since(t0).Seconds())
}
