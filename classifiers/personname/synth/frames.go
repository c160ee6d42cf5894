package synth

import "strings"

// Random frames: a name, place, product or company between runs of
// lower-case words, so the model learns from the slot's neighbours and the
// word's own shape rather than from a fixed sentence.
var (
	frameWords = strings.Fields(`the a an our your this that it is was be will can could should please just also still now then
		today yesterday soon again quickly issue ticket order invoice refund account password login app page screen call email
		message update request report delivery package payment card problem error question answer reply note change fix
		check send sent get got make made need needs want wants have has had see saw look looked help helped ask asked open
		closed new old late early first last next same other more less very really not no yes`)
	personPreps = []string{"from", "by", "with", "to", "for", "and", "called", "asked", "told", "met", "thanked", "ping", "ask",
		"tell", "cc", "contacted", "emailed", "helped", "via", "per", "owner", "assignee", "thanks", "dear", "hi", "said"}
	placePreps   = []string{"in", "at", "near", "to", "from", "via", "around", "outside", "across", "towards"}
	productPreps = []string{"the", "our", "a", "new", "my", "your", "bought", "using", "upgraded", "installed"}
)

func (g *Generator) frame() (string, string) {
	r := g.r
	words := func(n int) string {
		var b strings.Builder
		for k := 0; k < n; k++ {
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(frameWords[r.IntN(len(frameWords))])
		}
		return b.String()
	}
	pre, post := words(1+r.IntN(4)), words(r.IntN(4))
	switch r.IntN(5) {
	case 0, 1:
		return pre + " " + personPreps[r.IntN(len(personPreps))] + " {" + []string{"N", "F", "N", "L"}[r.IntN(4)] + "} ", post
	case 2:
		return pre + " " + placePreps[r.IntN(len(placePreps))] + " {CITY} ", post
	case 3:
		return pre + " " + productPreps[r.IntN(len(productPreps))] + " {PRODUCT} ", post
	}
	return pre + " " + []string{"at", "with", "from", "for"}[r.IntN(4)] + " {COMPANY} ", post
}
