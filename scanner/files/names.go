package files

import "strings"

// Temp files. Every temp file piimap's file writers create in a store (the
// executor's atomic rewrites, including the targets of DuckDB's COPY for
// Parquet and DuckDB's own "<target>.tmp" beside them) is named
//
//	.<base>.piimap-<random>.tmp
//
// beside the file <base> it replaces: hidden, with the TempInfix, ending in
// TempSuffix. DuckDB writes its COPY straight into that file (USE_TMP_FILE
// false); the "tmp_<name>" DuckDB would otherwise put beside it (left by
// older versions) is recognised too. A run killed mid-rewrite can leave
// one behind; the executor removes them on its next erasure in the store,
// and this source never lists them as units (they hold a half-written
// copy, not data of their own). IsTempName is the one test both sides use.
const (
	TempInfix  = ".piimap-"
	TempSuffix = ".tmp"
	// DuckDBTempPrefix is what DuckDB's COPY puts before a target's name
	// for its own temp file when USE_TMP_FILE is on.
	DuckDBTempPrefix = "tmp_"
)

// TempPattern is the filepath.Match pattern of the temp files of the file
// named base.
func TempPattern(base string) string { return "." + base + TempInfix + "*" + TempSuffix }

// IsTempName reports whether a file's base name (no directory) is that of
// a piimap temp file: ".<base>.piimap-<anything>.tmp", or DuckDB's
// "tmp_" before such a name.
func IsTempName(base string) bool {
	base = strings.TrimPrefix(base, DuckDBTempPrefix)
	if !strings.HasPrefix(base, ".") || !strings.HasSuffix(base, TempSuffix) {
		return false
	}
	i := strings.LastIndex(base, TempInfix)
	return i > 1 && i+len(TempInfix) <= len(base)-len(TempSuffix)
}
