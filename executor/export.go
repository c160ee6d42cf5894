package executor

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
)

// ExportSummary is the receipt's pointer to an access package.
type ExportSummary struct {
	Dir            string `json:"dir"`
	ManifestSHA256 string `json:"manifest_sha256"`
	Files          int    `json:"files"`
}

// Manifest is manifest.json of an access/portability package.
type Manifest struct {
	Request     string              `json:"request"`
	Type        Type                `json:"type"`
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

// exportRequest writes the access/portability package: per step the
// subject's rows as JSONL and CSV (and Parquet for columnar sources), a data
// dictionary, and a manifest with every file's SHA-256. Stores are read only.
func (s *Service) exportRequest(ctx context.Context, req *Request, plan *Plan, ro RunOptions) (*Receipt, error) {
	if ro.OutDir == "" {
		return nil, fmt.Errorf("executor: export %s: an output directory is required: %w", req.ID, piimap.ErrConfig)
	}
	if err := prepareOutDir(ro.OutDir); err != nil {
		return nil, err
	}
	started := time.Now().UTC()
	var mu sync.Mutex
	var files []ManifestFile
	var dict []DictionaryEntry
	locs := map[string]ReceiptLocation{}
	handlers := map[string]Handler{}
	defer func() {
		for _, h := range handlers {
			h.Close()
		}
	}()
	var steps []Step
	for _, sp := range plan.Stores {
		h, err := s.openHandler(ctx, req, sp.Store, sp.Kind, true)
		if err != nil {
			return nil, err
		}
		handlers[sp.Store] = h
		steps = append(steps, sp.Steps...)
	}
	store := func(i int) string { return steps[i].Store }
	lanes := func(store string) int { return handlerLanes(handlers[store]) }
	err := readEach(ctx, s.opt.Concurrency, len(steps), store, lanes, func(ctx context.Context, i int) error {
		st := steps[i]
		fs, de, n, err := exportStep(ctx, handlers[st.Store], ro.OutDir, st)
		if err != nil {
			return fmt.Errorf("executor: export %s/%s: %w", st.Store, st.Asset, err)
		}
		mu.Lock()
		files = append(files, fs...)
		dict = append(dict, de...)
		locs[assetKey(st.Store, st.Asset)] = ReceiptLocation{Store: st.Store, Asset: st.Asset, Found: n, Status: LocExported}
		mu.Unlock()
		if ro.Progress != nil {
			ro.Progress(Event{Store: st.Store, Asset: st.Asset, Phase: "exported", Found: n})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	sort.Slice(dict, func(i, j int) bool { return dict[i].Field < dict[j].Field })
	if dict == nil {
		dict = []DictionaryEntry{}
	}
	db, _ := json.MarshalIndent(map[string]any{"request": req.ID, "fields": dict}, "", "  ")
	mf, err := writeFile(ro.OutDir, "dictionary.json", db)
	if err != nil {
		return nil, err
	}
	files = append(files, mf)
	man := Manifest{Request: req.ID, Type: req.Type, Subject: req.Subject, PlanDigest: plan.Digest, GeneratedAt: time.Now().UTC(), Files: files}
	mb, _ := json.MarshalIndent(man, "", "  ")
	manFile, err := writeFile(ro.OutDir, "manifest.json", mb)
	if err != nil {
		return nil, err
	}
	r := &Receipt{Request: req.ID, Type: req.Type, PlanDigest: plan.Digest, ScanRun: plan.ScanRun, Approvals: req.Approvals,
		StartedAt: started, CompletedAt: time.Now().UTC(), Exceptions: append([]Exception{}, plan.Exceptions...),
		Gaps: append([]Gap{}, plan.Gaps...), Locations: []ReceiptLocation{},
		Export: &ExportSummary{Dir: ro.OutDir, ManifestSHA256: manFile.SHA256, Files: len(files) + 1}}
	for _, st := range plan.Steps() {
		r.Locations = append(r.Locations, locs[assetKey(st.Store, st.Asset)])
	}
	return s.finishReadOnly(ctx, req, r, "export", fmt.Sprintf("files=%d manifest=%s", len(files)+1, manFile.SHA256))
}

// finishReadOnly closes a read-only request (access, portability,
// restriction): status, receipt, audit.
func (s *Service) finishReadOnly(ctx context.Context, req *Request, r *Receipt, action, detail string) (*Receipt, error) {
	r.Status = StatusCompleted
	if len(r.Gaps) > 0 {
		r.Status = StatusGaps
	}
	r.Runs = 1
	req.transition(r.Status, "", action)
	if err := s.saveRequest(ctx, req); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, req.ID, action, "", detail); err != nil {
		return nil, err
	}
	if err := s.saveReceipt(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// restrict records each location of the subject in the exceptions register
// as restricted; stores are read only.
func (s *Service) restrict(ctx context.Context, req *Request, plan *Plan, ro RunOptions) (*Receipt, error) {
	r := &Receipt{Request: req.ID, Type: req.Type, PlanDigest: plan.Digest, ScanRun: plan.ScanRun, Approvals: req.Approvals,
		StartedAt: time.Now().UTC(), Gaps: append([]Gap{}, plan.Gaps...), Exceptions: []Exception{}, Locations: []ReceiptLocation{}}
	for _, st := range plan.Steps() {
		e, err := s.AddException(ctx, Exception{Kind: ExceptionRestriction, Request: req.ID, Store: st.Store, Asset: st.Asset,
			Reason: "processing restricted at the data subject's request; enforcement is up to the store's owner"})
		if err != nil {
			return nil, err
		}
		r.Exceptions = append(r.Exceptions, e)
		r.Locations = append(r.Locations, ReceiptLocation{Store: st.Store, Asset: st.Asset, Found: st.Expected, Status: LocRestricted})
		if ro.Progress != nil {
			ro.Progress(Event{Store: st.Store, Asset: st.Asset, Phase: "found", Found: st.Expected})
		}
	}
	r.CompletedAt = time.Now().UTC()
	return s.finishReadOnly(ctx, req, r, "restrict", fmt.Sprintf("locations=%d", len(r.Locations)))
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
func exportStep(ctx context.Context, h Handler, dir string, st Step) ([]ManifestFile, []DictionaryEntry, int64, error) {
	base := safeAssetPath(st.Store, st.Asset)
	var jl bytes.Buffer
	var cols []Column
	colIdx := map[string]int{}
	var table [][]any // rows aligned to cols (grown as columns appear)
	err := h.Find(ctx, st.Target, func(b Batch) error {
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
	src := assetKey(st.Store, st.Asset)
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
				rec[i] = CellString(row[i])
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
	if pe, ok := h.(ParquetExporter); ok {
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
