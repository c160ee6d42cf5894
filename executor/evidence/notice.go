package evidence

import (
	"bytes"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/planning"
)

// notice is the completion notice for the controller (notice.md and
// notice.html of an evidence pack): what was done, in which systems, what
// was produced, what could not be done, and until when.
type notice struct {
	Request     string
	Type        dsar.Type
	Tenant      string
	Requester   string
	Subject     string // masked
	Status      string
	Received    string
	Completed   string
	Done        string
	Attestation []string
	Systems     []noticeSystem
	Produced    []string
	NotDone     []noticeGap
	Fingerprint string
	Generated   string
}

type noticeSystem struct {
	Store, Asset, Action     string
	Found, Changed, Residual int64
	Status, Purge            string
}

type noticeGap struct {
	Where, What, Until string
}

var doneSentence = map[dsar.Type]string{
	dsar.Erasure:       "The subject's personal data was erased in the systems below, and every location was searched again afterwards to verify that nothing remains.",
	dsar.Rectification: "The subject's personal data was corrected in the systems below, and every location was searched again afterwards to verify the change.",
	dsar.Access:        "The subject's personal data was collected from the systems below into an access package for the subject.",
	dsar.Portability:   "The subject's personal data was exported from the systems below in machine-readable formats (JSON Lines, CSV, Parquet).",
	dsar.Restriction:   "Processing of the subject's personal data was restricted in the systems below.",
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func buildNotice(req packRequest, att map[string]any, in PackInput) notice {
	n := notice{Request: req.ID, Type: req.Type, Tenant: req.Tenant, Requester: req.Requester, Status: string(req.Status),
		Received: fmtTime(req.CreatedAt), Completed: "not yet run", Fingerprint: KeyFingerprint(in.PublicKey),
		Generated: fmtTime(in.GeneratedAt)}
	var subj []string
	for k, vs := range req.Subject {
		subj = append(subj, k+" "+strings.Join(vs, ", "))
	}
	sort.Strings(subj)
	n.Subject = strings.Join(subj, "; ")
	n.Done = doneSentence[req.Type]
	for k, v := range att {
		n.Attestation = append(n.Attestation, fmt.Sprintf("%s: %v", k, v))
	}
	sort.Strings(n.Attestation)
	rc := in.Receipt
	if rc == nil {
		n.Done = "Nothing has been carried out yet: the request has not run."
		n.NotDone = append(n.NotDone, noticeGap{Where: "all systems", What: "the request has not run (status " + string(req.Status) + ")", Until: "-"})
		return n
	}
	n.Status = string(rc.Status)
	n.Completed = fmtTime(rc.CompletedAt)
	if rc.DryRun {
		n.Done = "A dry run only: nothing was changed. " + n.Done
	}
	for _, l := range rc.Locations {
		action := l.Action
		if action == "" {
			action = string(l.Mode)
		}
		if action == "" {
			action = string(req.Type)
		}
		n.Systems = append(n.Systems, noticeSystem{Store: l.Store, Asset: l.Asset, Action: action, Found: l.Found,
			Changed: l.Changed, Residual: l.Residual, Status: l.Status, Purge: l.Purge})
		where := l.Store + "/" + l.Asset
		switch {
		case l.Status == LocFailed:
			n.NotDone = append(n.NotDone, noticeGap{Where: where, What: "failed: " + l.Error, Until: "-"})
		case l.Residual > 0:
			n.NotDone = append(n.NotDone, noticeGap{Where: where, What: fmt.Sprintf("%d records still found after the change", l.Residual), Until: "-"})
		}
		switch l.Purge {
		case driver.PurgePending:
			until := "-"
			if l.PurgeAt != nil {
				until = fmtTime(*l.PurgeAt)
			}
			n.NotDone = append(n.NotDone, noticeGap{Where: where, What: "erased bytes not yet physically removed: " + l.PurgeDetail, Until: until})
		case driver.PurgeException:
			n.NotDone = append(n.NotDone, noticeGap{Where: where, What: "erased bytes kept: " + l.PurgeDetail, Until: "-"})
		}
	}
	for _, g := range rc.Gaps {
		where := g.Store
		if g.Asset != "" {
			where += "/" + g.Asset
		}
		n.NotDone = append(n.NotDone, noticeGap{Where: where, What: g.Kind + ": " + g.Reason, Until: "-"})
	}
	seen := map[string]bool{}
	for _, e := range append(append([]planning.Exception(nil), rc.Exceptions...), in.Exceptions...) {
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		where := e.Store
		if e.Asset != "" {
			where += "/" + e.Asset
		}
		until := "no expiry set"
		if e.ExpiresAt != nil {
			until = fmtTime(*e.ExpiresAt)
		}
		n.NotDone = append(n.NotDone, noticeGap{Where: where, What: e.Kind + ": " + e.Reason, Until: until})
	}
	n.Produced = append(n.Produced, fmt.Sprintf("a receipt signed with Ed25519 key %s (receipt.json), verifiable offline with signing.pub", n.Fingerprint))
	if rc.Export != nil {
		n.Produced = append(n.Produced, fmt.Sprintf("an export package of %d files (manifest SHA-256 %s)", rc.Export.Files, rc.Export.ManifestSHA256))
	}
	n.Produced = append(n.Produced, fmt.Sprintf("the request's audit trail: %d hash-chained entries (execution-log.json)", len(in.Audit)))
	return n
}

// mdCell escapes text for a Markdown table cell or line.
func mdCell(s string) string {
	r := strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]")
	return r.Replace(s)
}

func (n notice) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Completion notice: %s request %s\n\n", mdCell(string(n.Type)), mdCell(n.Request))
	fmt.Fprintf(&b, "- Tenant (controller): %s\n- Requested by: %s\n- Subject: %s\n- Received: %s\n- Completed: %s\n- Outcome: %s\n\n",
		mdCell(n.Tenant), mdCell(n.Requester), mdCell(n.Subject), n.Received, n.Completed, mdCell(n.Status))
	if len(n.Attestation) > 0 {
		b.WriteString("Identity of the subject attested: " + mdCell(strings.Join(n.Attestation, "; ")) + "\n\n")
	}
	b.WriteString("## What was done\n\n" + n.Done + "\n\n")
	b.WriteString("## In which systems\n\n")
	if len(n.Systems) == 0 {
		b.WriteString("None.\n\n")
	} else {
		b.WriteString("| system | location | action | found | changed | remaining | status | physical purge |\n|---|---|---|---:|---:|---:|---|---|\n")
		for _, s := range n.Systems {
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %s | %s |\n", mdCell(s.Store), mdCell(s.Asset), mdCell(s.Action),
				s.Found, s.Changed, s.Residual, mdCell(s.Status), mdCell(s.Purge))
		}
		b.WriteString("\n")
	}
	b.WriteString("## What was produced\n\n")
	for _, p := range n.Produced {
		b.WriteString("- " + mdCell(p) + "\n")
	}
	b.WriteString("\n## What could not be done, and until when\n\n")
	if len(n.NotDone) == 0 {
		b.WriteString("Nothing: every location was handled and verified.\n")
	} else {
		b.WriteString("| where | what | until |\n|---|---|---|\n")
		for _, g := range n.NotDone {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", mdCell(g.Where), mdCell(g.What), mdCell(g.Until))
		}
	}
	fmt.Fprintf(&b, "\nGenerated %s by piimap. The signed receipt and the way to verify it are in this pack (README.md).\n", n.Generated)
	return b.String()
}

var noticeHTML = template.Must(template.New("notice").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Completion notice: {{.Type}} request {{.Request}}</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em}td.n{text-align:right}</style>
</head><body>
<h1>Completion notice: {{.Type}} request {{.Request}}</h1>
<ul><li>Tenant (controller): {{.Tenant}}</li><li>Requested by: {{.Requester}}</li><li>Subject: {{.Subject}}</li>
<li>Received: {{.Received}}</li><li>Completed: {{.Completed}}</li><li>Outcome: {{.Status}}</li></ul>
{{if .Attestation}}<p>Identity of the subject attested: {{range $i, $a := .Attestation}}{{if $i}}; {{end}}{{$a}}{{end}}</p>{{end}}
<h2>What was done</h2><p>{{.Done}}</p>
<h2>In which systems</h2>
{{if .Systems}}<table><tr><th>system</th><th>location</th><th>action</th><th>found</th><th>changed</th><th>remaining</th><th>status</th><th>physical purge</th></tr>
{{range .Systems}}<tr><td>{{.Store}}</td><td>{{.Asset}}</td><td>{{.Action}}</td><td class="n">{{.Found}}</td><td class="n">{{.Changed}}</td><td class="n">{{.Residual}}</td><td>{{.Status}}</td><td>{{.Purge}}</td></tr>
{{end}}</table>{{else}}<p>None.</p>{{end}}
<h2>What was produced</h2><ul>{{range .Produced}}<li>{{.}}</li>{{end}}</ul>
<h2>What could not be done, and until when</h2>
{{if .NotDone}}<table><tr><th>where</th><th>what</th><th>until</th></tr>
{{range .NotDone}}<tr><td>{{.Where}}</td><td>{{.What}}</td><td>{{.Until}}</td></tr>
{{end}}</table>{{else}}<p>Nothing: every location was handled and verified.</p>{{end}}
<p>Generated {{.Generated}} by piimap. The signed receipt and the way to verify it are in this pack (README.md).</p>
</body></html>
`))

func (n notice) html() ([]byte, error) {
	var b bytes.Buffer
	if err := noticeHTML.Execute(&b, n); err != nil {
		return nil, fmt.Errorf("evidence pack: notice.html: %w", err)
	}
	return b.Bytes(), nil
}
