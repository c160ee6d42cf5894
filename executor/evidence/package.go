package evidence

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/planning"
)

// An access or portability package: per step the subject's rows as
// data/<store>/<asset>.jsonl and .csv (plus .parquet for columnar
// sources), dictionary.json describing every exported field, and
// manifest.json listing every file with its SHA-256.

// ExportSummary is the receipt's pointer to an access package.
type ExportSummary struct {
	Dir            string `json:"dir"`
	ManifestSHA256 string `json:"manifest_sha256"`
	Files          int    `json:"files"`
}

// Manifest is manifest.json of an access/portability package.
type Manifest struct {
	Request     string              `json:"request"`
	Type        dsar.Type           `json:"type"`
	Subject     map[string][]string `json:"subject"` // masked
	PlanDigest  string              `json:"plan_digest"`
	GeneratedAt time.Time           `json:"generated_at"`
	Files       []ManifestFile      `json:"files"`
}

// ManifestFile is one file of the package.
type ManifestFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	Rows   int64  `json:"rows,omitempty"`
	Source string `json:"source,omitempty"` // store/asset
}

// DictionaryEntry describes one exported field (dictionary.json).
type DictionaryEntry struct {
	Field       string          `json:"field"` // store/asset#column
	Type        string          `json:"type"`  // source column type
	PII         []string        `json:"pii,omitempty"`
	Description string          `json:"description"`
	Source      piimap.Location `json:"source"`
}

// Package is an export package being written into a directory. WriteStep
// may be called from several goroutines; Finish writes the dictionary and
// the manifest once every step is written.
type Package struct {
	dir   string
	mu    sync.Mutex
	files []ManifestFile
	dict  []DictionaryEntry
}

// NewPackage starts a package in dir, which must be empty or absent (it is
// then created, private to the user).
func NewPackage(dir string) (*Package, error) {
	if err := prepareOutDir(dir); err != nil {
		return nil, err
	}
	return &Package{dir: dir}, nil
}

// WriteStep writes the subject's rows of one step, read through h, and
// returns how many there were.
func (pk *Package) WriteStep(ctx context.Context, h driver.Handler, st planning.Step) (int64, error) {
	fs, de, n, err := exportStep(ctx, h, pk.dir, st)
	if err != nil {
		return 0, err
	}
	pk.mu.Lock()
	defer pk.mu.Unlock()
	pk.files = append(pk.files, fs...)
	pk.dict = append(pk.dict, de...)
	return n, nil
}

// Finish writes dictionary.json and then manifest.json, which lists every
// file before it under man's request, type, masked subject and plan
// digest, and returns the receipt's pointer to the package.
func (pk *Package) Finish(man Manifest) (*ExportSummary, error) {
	pk.mu.Lock()
	defer pk.mu.Unlock()
	files, dict := pk.files, pk.dict
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	sort.Slice(dict, func(i, j int) bool { return dict[i].Field < dict[j].Field })
	if dict == nil {
		dict = []DictionaryEntry{}
	}
	db, _ := json.MarshalIndent(map[string]any{"request": man.Request, "fields": dict}, "", "  ")
	mf, err := writeFile(pk.dir, "dictionary.json", db)
	if err != nil {
		return nil, err
	}
	files = append(files, mf)
	man.GeneratedAt, man.Files = time.Now().UTC(), files
	mb, _ := json.MarshalIndent(man, "", "  ")
	manFile, err := writeFile(pk.dir, "manifest.json", mb)
	if err != nil {
		return nil, err
	}
	return &ExportSummary{Dir: pk.dir, ManifestSHA256: manFile.SHA256, Files: len(files) + 1}, nil
}

var piiDescriptions = map[string]string{
	piimap.TypeEmail: "email address", piimap.TypePhone: "phone number", piimap.TypePersonName: "person's name",
	piimap.TypePostalAddress: "postal address", piimap.TypeDateOfBirth: "date of birth",
	piimap.TypeUSSSN: "US social security number", piimap.TypeUKNINO: "UK national insurance number",
	piimap.TypeCreditCard: "payment card number", piimap.TypeIBAN: "bank account (IBAN)",
	piimap.TypeIPAddress: "IP address", piimap.TypeMACAddress: "MAC address", piimap.TypeDeviceID: "device identifier",
	piimap.TypeGeoCoordinates: "geographic coordinates", piimap.TypeUsername: "username",
	piimap.TypeCredential: "credential", piimap.TypeUserID: "user identifier",
}

func describe(col string, pii []string) string {
	if len(pii) == 0 {
		return "value of " + col + " in the source record"
	}
	var parts []string
	for _, t := range pii {
		if d, ok := piiDescriptions[t]; ok {
			parts = append(parts, d)
		} else {
			parts = append(parts, t)
		}
	}
	return "personal data: " + strings.Join(parts, ", ")
}

func prepareOutDir(dir string) error {
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("executor: export dir: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("executor: export dir: %w", err)
	case len(ents) > 0:
		return fmt.Errorf("executor: export dir %s is not empty: %w", dir, piimap.ErrConfig)
	}
	return nil
}

// safeAssetPath maps an asset name to a relative path inside the package.
func safeAssetPath(store, asset string) string {
	clean := func(s string) string {
		s = strings.ReplaceAll(s, "\\", "/")
		s = path.Clean("/" + s)
		return strings.TrimPrefix(s, "/")
	}
	return path.Join("data", clean(store), clean(asset))
}

func writeFile(dir, rel string, data []byte) (ManifestFile, error) {
	full := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
		return ManifestFile{}, fmt.Errorf("executor: export %s: %w", rel, err)
	}
	if err := os.WriteFile(full, data, 0o600); err != nil {
		return ManifestFile{}, fmt.Errorf("executor: export %s: %w", rel, err)
	}
	sum := sha256.Sum256(data)
	return ManifestFile{Path: rel, SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(data))}, nil
}

// exportStep writes one asset's rows; it returns the files, dictionary
// entries and the number of rows.
func exportStep(ctx context.Context, h driver.Handler, dir string, st planning.Step) ([]ManifestFile, []DictionaryEntry, int64, error) {
	base := safeAssetPath(st.Store, st.Asset)
	var jl bytes.Buffer
	var cols []driver.Column
	colIdx := map[string]int{}
	var table [][]any // rows aligned to cols (grown as columns appear)
	err := h.Find(ctx, st.Target, func(b driver.Batch) error {
		bc, rows := b.Table()
		for _, c := range bc {
			if _, ok := colIdx[c.Name]; !ok {
				colIdx[c.Name] = len(cols)
				cols = append(cols, c)
			}
		}
		for _, row := range rows {
			jl.WriteByte('{')
			out := make([]any, len(cols))
			for i, c := range bc {
				if i > 0 {
					jl.WriteByte(',')
				}
				k, _ := json.Marshal(c.Name)
				v, err := json.Marshal(row[i])
				if err != nil {
					return fmt.Errorf("encode column %s: %w", c.Name, err)
				}
				jl.Write(k)
				jl.WriteByte(':')
				jl.Write(v)
				out[colIdx[c.Name]] = row[i]
			}
			jl.WriteString("}\n")
			table = append(table, out)
		}
		return nil
	})
	if err != nil {
		return nil, nil, 0, err
	}
	n := int64(len(table))
	src := st.Store + "/" + st.Asset
	jf, err := writeFile(dir, base+".jsonl", jl.Bytes())
	if err != nil {
		return nil, nil, 0, err
	}
	jf.Rows, jf.Source = n, src
	var cb bytes.Buffer
	w := csv.NewWriter(bufio.NewWriter(&cb))
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Name
	}
	_ = w.Write(header)
	for _, row := range table {
		rec := make([]string, len(cols))
		for i := range cols {
			if i < len(row) {
				rec[i] = driver.CellString(row[i])
			}
		}
		_ = w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, nil, 0, fmt.Errorf("csv: %w", err)
	}
	cf, err := writeFile(dir, base+".csv", cb.Bytes())
	if err != nil {
		return nil, nil, 0, err
	}
	cf.Rows, cf.Source = n, src
	files := []ManifestFile{jf, cf}
	if pe, ok := h.(driver.ParquetExporter); ok {
		rel := base + ".parquet"
		full := filepath.Join(dir, filepath.FromSlash(rel))
		_, err := pe.ExportParquet(ctx, st.Target, full)
		switch {
		case errors.Is(err, piimap.ErrUnsupported): // not a columnar source
			_ = os.Remove(full)
		case err != nil:
			return nil, nil, 0, fmt.Errorf("parquet: %w", err)
		default:
			pf, err := hashFile(full)
			if err != nil {
				return nil, nil, 0, err
			}
			pf.Path, pf.Rows, pf.Source = rel, n, src
			files = append(files, pf)
		}
	}
	var dict []DictionaryEntry
	for _, c := range cols {
		pii := st.PII[c.Name]
		if len(pii) == 0 && len(cols) <= 2 {
			pii = st.PII[""] // text assets: the line holds the asset-level findings
		}
		dict = append(dict, DictionaryEntry{Field: src + "#" + c.Name, Type: c.Type, PII: pii,
			Description: describe(c.Name, pii), Source: piimap.Location{Store: st.Store, Name: st.Asset, Field: c.Name}})
	}
	return files, dict, n, nil
}

func hashFile(p string) (ManifestFile, error) {
	f, err := os.Open(p)
	if err != nil {
		return ManifestFile{}, fmt.Errorf("executor: export: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return ManifestFile{}, fmt.Errorf("executor: export: %w", err)
	}
	return ManifestFile{SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: n}, nil
}
