package files_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/classifiers/validate"
	"github.com/piimap/piimap/executor/driver"
)

// TestEraseAgreesWithScanOnMessyLog: a log of 3,000 lines written from
// random valid DE, US, GB and FR mobile numbers (other people's) and the
// subject's, nationally and internationally, in shapes that put digits
// next to them (numbered, after or before a digit group, glued into
// references). After the erasure, read back here: no bystander line
// changed, and every subject line left as it was is one where the
// scanner does not read the subject's number either, so the map and the
// receipt agree line by line.
func TestEraseAgreesWithScanOnMessyLog(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	shapes := []func(string) string{
		func(n string) string { return "1. " + n + " angerufen" },
		func(n string) string { return "order 12 " + n + " today" },
		func(n string) string { return "call " + n + " 12 items" },
		func(n string) string { return "Tel. " + n },
		func(n string) string { return "ref 9-" + n + "-3" },
		func(n string) string { return "x" + n + "7" },
		func(n string) string { return "id " + strings.ReplaceAll(n, " ", "") + "12" },
	}
	subj := "+491711234567"
	sn, _ := phonenumbers.Parse(subj, "ZZ")
	var lines []string
	var isSubj []bool
	regions := []string{"DE", "US", "GB", "FR"}
	for i := 0; i < 3000; i++ {
		var n *phonenumbers.PhoneNumber
		s := i%10 == 0
		if s {
			n = sn
		} else {
			reg := regions[r.IntN(len(regions))]
			ex := phonenumbers.GetExampleNumberForType(reg, phonenumbers.MOBILE)
			for {
				cand, _ := phonenumbers.Parse(fmt.Sprintf("+%d%d", ex.GetCountryCode(), ex.GetNationalNumber()+uint64(r.IntN(1000000))), "ZZ")
				if cand != nil && phonenumbers.IsValidNumber(cand) && phonenumbers.Format(cand, phonenumbers.E164) != subj {
					n = cand
					break
				}
			}
		}
		f := phonenumbers.NATIONAL
		if r.IntN(2) == 0 {
			f = phonenumbers.INTERNATIONAL
		}
		lines = append(lines, shapes[r.IntN(len(shapes))](phonenumbers.Format(n, f)))
		isSubj = append(isSubj, s)
	}
	data := strings.Join(lines, "\n") + "\n"
	h, p := openLog(t, "logs/adv.log", data)
	defer h.Close()
	tg := driver.Target{Asset: "logs/adv.log", Mode: driver.ModeRedact, Match: []driver.Match{{Kind: piimap.KeyPhone, Values: []string{subj}, Region: "DE"}}}
	if _, err := h.Erase(context.Background(), []driver.Target{tg}, driver.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	out := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	eng, _ := classifiers.Default(classifiers.Options{})
	changedBy, left := 0, 0
	leftShapes := map[string]int{}
	for i, l := range out {
		if !isSubj[i] && l != lines[i] {
			changedBy++
		}
		if isSubj[i] && l == lines[i] {
			left++
			leftShapes[strings.Fields(lines[i])[0]]++
			eng.Spans([]byte(l), func(sp piimap.Span) {
				if sp.Type == "phone" {
					if e, ok := validate.PhoneE164(strings.Trim(l[sp.Start:sp.End], "()"), []string{"DE"}); ok && e == subj {
						t.Errorf("line %d: the scanner reads the subject's number, the erasure left it", i+1)
					}
				}
			})
		}
	}
	if changedBy > 0 {
		t.Errorf("%d bystander lines changed", changedBy)
	}
	if erased := 300 - left; erased < 100 {
		t.Errorf("only %d of 300 subject lines erased: the shapes should give more", erased)
	}
	t.Logf("subject lines left as the scanner also leaves them, by first word: %v", leftShapes)
}
