package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/fileformat"
)

// classifyOne reads one classify input the way scan reads a file
// (scanner/fileformat): gzip is decompressed within the scanner's bomb
// limits, Parquet is read column by column through the scanner's codec,
// and binary content is refused with the reason. Text, CSV/TSV, JSON and
// JSON Lines are scanned as text, line by line, so a finding's line is the
// line of the (decompressed) file. A Parquet finding's source is
// FILE#column and its line is the value's ordinal in that column.
func (a *app) classifyOne(ctx context.Context, eng *classifiers.Engine, name string, emit func(classifyLine) error) error {
	if name == "-" {
		br := bufio.NewReaderSize(a.stdin, fileformat.HeadSize)
		head, _ := br.Peek(fileformat.HeadSize)
		var r io.Reader = br
		if fileformat.IsGzip(head) {
			zr, err := fileformat.NewGzipReader(br)
			if err != nil {
				return fmt.Errorf("classify stdin: %w", err)
			}
			defer zr.Close()
			r = zr
		}
		return classifyText(ctx, eng, r, "-", emit)
	}
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	if st.IsDir() {
		return fmt.Errorf("classify %s: is a directory: give files (or use piimap scan for a directory): %w", name, piimap.ErrUnsupported)
	}
	head := make([]byte, fileformat.HeadSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("classify %s: %w", name, err)
	}
	head = head[:n]
	u := piimap.Unit{Loc: piimap.Location{Name: filepath.Base(name)}}
	fileformat.Sniff(&u, head, int64(n) == st.Size(), f)
	if why := u.Meta[fileformat.MetaSkipped]; why != "" {
		return fmt.Errorf("classify %s: %s: %w", name, why, piimap.ErrUnsupported)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("classify %s: %w", name, err)
	}
	if u.Format == piimap.FormatParquet {
		if u.Gzip {
			return fmt.Errorf("classify %s: gzip-compressed Parquet is not read by classify; decompress it first (gunzip -k) or scan it with piimap scan: %w", name, piimap.ErrUnsupported)
		}
		return classifyParquet(ctx, eng, f, st.Size(), name, emit)
	}
	var r io.Reader = f
	if u.Gzip {
		zr, err := fileformat.NewGzipReader(f)
		if err != nil {
			return fmt.Errorf("classify %s: %w", name, err)
		}
		defer zr.Close()
		r = zr
	}
	return classifyText(ctx, eng, r, name, emit)
}

// classifyText streams text through the classifier's parallel,
// line-aligned scanner.
func classifyText(ctx context.Context, eng *classifiers.Engine, r io.Reader, source string, emit func(classifyLine) error) error {
	_, err := eng.ScanParallel(ctx, r, 0, func(m classifiers.Match) error {
		return emit(classifyLine{Source: source, Line: m.Line, Offset: m.Col, Length: m.Len(),
			Type: m.Type, Confidence: m.Confidence, Rule: m.RuleID})
	})
	if err != nil {
		return fmt.Errorf("classify %s: %w", source, err)
	}
	return nil
}

// classifyParquet reads every value of every column of a Parquet file
// and classifies each as text.
func classifyParquet(ctx context.Context, eng *classifiers.Engine, r io.ReaderAt, size int64, name string, emit func(classifyLine) error) error {
	ordinal := map[string]int64{}
	err := fileformat.SampleParquet(ctx, r, size, scanner.Sample{Full: true}, filepath.Base(name), func(b *fileformat.Batch) error {
		for _, field := range b.Fields {
			for _, v := range b.Values[field] {
				ordinal[field]++
				line := ordinal[field]
				var err error
				eng.Spans([]byte(v), func(sp piimap.Span) {
					if err == nil {
						err = emit(classifyLine{Source: name + "#" + field, Line: line, Offset: sp.Start, Length: sp.Len(),
							Type: sp.Type, Confidence: sp.Confidence, Rule: sp.RuleID})
					}
				})
				if err != nil {
					return err
				}
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return fmt.Errorf("classify %s: %w", name, err)
	}
	return nil
}
