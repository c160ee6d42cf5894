package lineage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/lineage/sarif"
)

// exportMap is the reference estate's map plus a hostile file asset, a
// relational asset whose table name holds a quote, and a custom type.
func exportMap(t *testing.T) *lineage.Map {
	t.Helper()
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	_, err := lineagetest.WriteEstate(ctx, g)
	require.NoError(t, err)
	m, err := lineage.BuildMap(ctx, g, "", lineage.MapFilter{})
	require.NoError(t, err)
	m.GeneratedAt, m.ScanRun = lineagetest.GoldenTime, lineagetest.GoldenRun
	m.Locations = append(m.Locations,
		lineage.MapLocation{Store: "lake", Kind: "s3", Asset: "exports/evil \x1b[31m\"x\".csv", Field: "contact", Format: "csv",
			PII: []lineage.MapPII{{Type: piimap.TypeCreditCard, Confidence: 0.95, Hits: 19, Sampled: 20}}, Edges: []lineage.MapEdge{}},
		lineage.MapLocation{Store: "crm", Kind: "mysql", Asset: `sales.orders"x`, Field: "national id", Edges: []lineage.MapEdge{},
			PII: []lineage.MapPII{{Type: "national_id.fr_insee", Confidence: 0.5, Hits: 5, Sampled: 10}}})
	return m
}

func render(t *testing.T, m *lineage.Map, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, lineage.WriteMap(&buf, m, format))
	require.NotContains(t, buf.String(), lineagetest.Canary, "a raw value reached the %s export", format)
	return buf.Bytes()
}

// TestMapSARIFValidates checks `map --format sarif` against the SARIF
// 2.1.0 JSON schema (vendored, OASIS errata 01) and its content: a rule
// per PII type, a result per location and type, stable fingerprints.
func TestMapSARIFValidates(t *testing.T) {
	m := exportMap(t)
	out := render(t, m, lineage.FormatSARIF)
	validateSARIF(t, out)

	var log sarif.Log
	require.NoError(t, json.Unmarshal(out, &log))
	require.Len(t, log.Runs, 1)
	run := log.Runs[0]
	want := 0
	types := map[string]bool{}
	for _, l := range m.Locations {
		want += len(l.PII)
		for _, p := range l.PII {
			types[p.Type] = true
		}
	}
	require.Len(t, run.Results, want)
	require.Len(t, run.Tool.Driver.Rules, len(types))
	for _, r := range run.Results {
		require.Equal(t, run.Tool.Driver.Rules[r.RuleIndex].ID, r.RuleID)
		require.NotEmpty(t, r.PartialFingerprints[sarif.FingerprintKey])
		require.NotEmpty(t, r.Locations[0].Logical)
	}
	// The same map renders the same fingerprints (baselines rely on it).
	var again sarif.Log
	require.NoError(t, json.Unmarshal(render(t, m, lineage.FormatSARIF), &again))
	for i := range run.Results {
		require.Equal(t, run.Results[i].PartialFingerprints, again.Runs[0].Results[i].PartialFingerprints)
	}
}

func validateSARIF(t *testing.T, doc []byte) {
	t.Helper()
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(filepath.Join("..", "testdata", "sarif", "sarif-schema-2.1.0.json"))
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	require.NoError(t, err)
	require.NoError(t, sch.Validate(inst))
}

// TestSARIFSchemaRejects shows the schema check can fail: a result without
// a message and a log of the wrong version are refused.
func TestSARIFSchemaRejects(t *testing.T) {
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(filepath.Join("..", "testdata", "sarif", "sarif-schema-2.1.0.json"))
	require.NoError(t, err)
	for _, bad := range []string{
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"piimap"}},"results":[{"ruleId":"x"}]}]}`,
		`{"version":"2.0.0","runs":[]}`,
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		require.NoError(t, err)
		require.Error(t, sch.Validate(inst), bad)
	}
}

// fidesKeys are the fideslang data categories the export may use.
var fidesCategory = regexp.MustCompile(`^user(\.[a-z_]+)*$`)

// TestMapFidesStructure parses the Fides export as fideslang datasets:
// keys well formed, every map field present with data categories from the
// taxonomy, subject keys as identities, and every reference resolving to
// a field of the file.
func TestMapFidesStructure(t *testing.T) {
	m := exportMap(t)
	var doc struct {
		Dataset []struct {
			FidesKey    string `yaml:"fides_key"`
			Collections []struct {
				Name           string   `yaml:"name"`
				DataCategories []string `yaml:"data_categories"`
				Fields         []struct {
					Name           string   `yaml:"name"`
					DataCategories []string `yaml:"data_categories"`
					FidesMeta      struct {
						Identity   string `yaml:"identity"`
						References []struct {
							Dataset, Field, Direction string
						} `yaml:"references"`
					} `yaml:"fides_meta"`
				} `yaml:"fields"`
			} `yaml:"collections"`
		} `yaml:"dataset"`
	}
	require.NoError(t, yaml.Unmarshal(render(t, m, lineage.FormatFides), &doc))
	key := regexp.MustCompile(`^[A-Za-z0-9_.<>-]+$`)
	fields := map[string]bool{} // dataset/collection.field
	identities, refs, total := 0, 0, 0
	for _, ds := range doc.Dataset {
		require.Regexp(t, key, ds.FidesKey)
		for _, c := range ds.Collections {
			require.NotEmpty(t, c.Name)
			for _, cat := range c.DataCategories {
				require.Regexp(t, fidesCategory, cat)
			}
			for _, f := range c.Fields {
				total++
				fields[ds.FidesKey+"/"+c.Name+"."+f.Name] = true
				require.NotEmpty(t, f.DataCategories, "%s.%s", c.Name, f.Name)
				for _, cat := range f.DataCategories {
					require.Regexp(t, fidesCategory, cat)
				}
				if f.FidesMeta.Identity != "" {
					identities++
				}
			}
		}
	}
	for _, ds := range doc.Dataset {
		for _, c := range ds.Collections {
			for _, f := range c.Fields {
				for _, r := range f.FidesMeta.References {
					refs++
					require.Equal(t, "to", r.Direction)
					require.True(t, fields[r.Dataset+"/"+r.Field], "reference %s/%s resolves", r.Dataset, r.Field)
				}
			}
		}
	}
	wantFields, wantIdentities := 0, 0
	for _, l := range m.Locations {
		if l.Field != "" {
			wantFields++
		}
		if l.SubjectKey && l.Identity != "" && l.Field != "" {
			wantIdentities++
		}
	}
	require.Equal(t, wantFields, total)
	require.Equal(t, wantIdentities, identities)
	require.Positive(t, refs, "the reference estate's foreign keys become fides references")
}

// TestMapDataHubStructure checks the DataHub file: MCPs with valid URNs,
// every glossary term a field uses defined in the file, every map field
// present once.
func TestMapDataHubStructure(t *testing.T) {
	m := exportMap(t)
	var mcps []struct {
		EntityType, EntityURN, ChangeType, AspectName string
		Aspect                                        struct {
			JSON json.RawMessage `json:"json"`
		}
	}
	require.NoError(t, json.Unmarshal(render(t, m, lineage.FormatDataHub), &mcps))
	datasetURN := regexp.MustCompile(`^urn:li:dataset:\(urn:li:dataPlatform:[a-z0-9]+,[^,()]+,PROD\)$`)
	defined, used := map[string]bool{}, map[string]bool{}
	fields := 0
	for _, p := range mcps {
		require.Equal(t, "UPSERT", p.ChangeType)
		require.NotEmpty(t, p.Aspect.JSON)
		switch p.EntityType {
		case "glossaryTerm":
			defined[p.EntityURN] = true
		case "dataset":
			require.Regexp(t, datasetURN, p.EntityURN)
			var a struct {
				Fields []struct {
					FieldPath     string `json:"fieldPath"`
					GlossaryTerms struct {
						Terms []struct{ URN string } `json:"terms"`
					} `json:"glossaryTerms"`
				} `json:"editableSchemaFieldInfo"`
				Terms []struct{ URN string } `json:"terms"`
			}
			require.NoError(t, json.Unmarshal(p.Aspect.JSON, &a))
			for _, f := range a.Fields {
				fields++
				for _, tm := range f.GlossaryTerms.Terms {
					used[tm.URN] = true
				}
			}
			for _, tm := range a.Terms {
				used[tm.URN] = true
			}
		case "glossaryNode":
		default:
			t.Fatalf("unexpected entity type %q", p.EntityType)
		}
	}
	require.NotEmpty(t, used)
	for u := range used {
		require.True(t, defined[u], "glossary term %s is defined in the file", u)
	}
	want := 0
	for _, l := range m.Locations {
		if l.Field != "" {
			want++
		}
	}
	require.Equal(t, want, fields)
}

// TestMapOpenMetadataStructure checks the OpenMetadata file: every map
// field is a column tagged with PII.Sensitive or PII.NonSensitive as a
// TagLabel, sensitive types are tagged sensitive, and FQN parts holding a
// dot or a quote are quoted.
func TestMapOpenMetadataStructure(t *testing.T) {
	m := exportMap(t)
	var doc struct {
		Entities []struct {
			EntityType, FullyQualifiedName string
			Columns                        []struct {
				Name string
				Tags []struct{ TagFQN, Source, LabelType, State string }
			}
		}
	}
	require.NoError(t, json.Unmarshal(render(t, m, lineage.FormatOpenMetadata), &doc))
	cols := map[string][]string{}
	for _, e := range doc.Entities {
		require.Contains(t, []string{"table", "container"}, e.EntityType)
		for _, c := range e.Columns {
			for _, tg := range c.Tags {
				require.Contains(t, []string{"PII.Sensitive", "PII.NonSensitive"}, tg.TagFQN)
				require.Equal(t, "Classification", tg.Source)
				require.Equal(t, "Automated", tg.LabelType)
				require.Equal(t, "Suggested", tg.State)
				cols[e.FullyQualifiedName+"|"+c.Name] = append(cols[e.FullyQualifiedName+"|"+c.Name], tg.TagFQN)
			}
		}
	}
	require.Equal(t, []string{"PII.Sensitive"}, cols[`lake."exports/evil `+"\x1b"+`[31m""x"".csv"|contact`])
	require.Equal(t, []string{"PII.Sensitive"}, cols[`crm.sales."orders""x"|national id`])
	require.Equal(t, []string{"PII.NonSensitive"}, cols["app.main.customers|email"])
}

// TestCatalogTermsCoverEveryType parses the root package's Type constants:
// each PII type piimap names has a row in the catalog mapping table, with
// a Fides category of the taxonomy's shape.
func TestCatalogTermsCoverEveryType(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "piimap.go"), nil, 0)
	require.NoError(t, err)
	rows := map[string]lineage.CatalogTerm{}
	for _, r := range lineage.CatalogTerms() {
		rows[r.Type] = r
	}
	n := 0
	ast.Inspect(f, func(x ast.Node) bool {
		vs, ok := x.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Type") || len(vs.Values) != 1 {
			return true
		}
		lit, ok := vs.Values[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		typ, _ := strconv.Unquote(lit.Value)
		n++
		r, ok := rows[typ]
		require.True(t, ok, "piimap.%s (%q) has no catalog term (lineage/mapterms.go)", vs.Names[0].Name, typ)
		require.Regexp(t, fidesCategory, r.Fides)
		require.NotEmpty(t, r.Glossary)
		return true
	})
	require.Greater(t, n, 10)
}

// TestCatalogDocListsTerms keeps docs/CATALOG_EXPORTS.md's table true to
// catalogTerms.
func TestCatalogDocListsTerms(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "CATALOG_EXPORTS.md"))
	require.NoError(t, err)
	for _, r := range lineage.CatalogTerms() {
		tag := "PII.NonSensitive"
		if r.Sensitive {
			tag = "PII.Sensitive"
		}
		row := "| `" + r.Type + "` | " + r.Title + " | `" + r.Fides + "` | `piimap." + r.Glossary + "` | `" + tag + "` |"
		require.Contains(t, string(doc), row, "docs/CATALOG_EXPORTS.md lacks the row of %s", r.Type)
	}
}
