package main

import (
	"math"
	"testing"

	"github.com/piimap/piimap/bench/textcorpus"
)

func TestScoreDoc(t *testing.T) {
	labelled := map[string]bool{"person_name": true, "phone": true, "email": true}
	g := func(s, e int, typ string) textcorpus.Span { return textcorpus.Span{Start: s, End: e, Type: typ} }
	p := func(s, e int, typ string) pred { return pred{Start: s, End: e, Type: typ} }
	for _, tc := range []struct {
		name       string
		gold       []textcorpus.Span
		preds      []pred
		want       map[string]Counts
		unlabelled map[string]int
	}{
		{name: "exact match",
			gold: []textcorpus.Span{g(0, 10, "phone")}, preds: []pred{p(0, 10, "phone")},
			want: map[string]Counts{"phone": {Gold: 1, Pred: 1, TP: 1, ExactTP: 1}}},
		{name: "half the gold span is enough",
			gold: []textcorpus.Span{g(0, 10, "person_name")}, preds: []pred{p(5, 10, "person_name")},
			want: map[string]Counts{"person_name": {Gold: 1, Pred: 1, TP: 1}}},
		{name: "less than half is a miss and a partial FP",
			gold: []textcorpus.Span{g(0, 10, "person_name")}, preds: []pred{p(6, 10, "person_name")},
			want: map[string]Counts{"person_name": {Gold: 1, Pred: 1, FP: 1, FN: 1, Partial: 1}}},
		{name: "a longer prediction covering the gold span matches",
			gold: []textcorpus.Span{g(10, 20, "phone")}, preds: []pred{p(0, 40, "phone")},
			want: map[string]Counts{"phone": {Gold: 1, Pred: 1, TP: 1}}},
		{name: "type mismatch: FN for the gold type, FP for the predicted one",
			gold: []textcorpus.Span{g(0, 10, "phone")}, preds: []pred{p(0, 10, "person_name")},
			want: map[string]Counts{"phone": {Gold: 1, FN: 1}, "person_name": {Pred: 1, FP: 1}}},
		{name: "duplicate predictions: one TP, the other a partial FP",
			gold: []textcorpus.Span{g(0, 10, "email")}, preds: []pred{p(0, 10, "email"), p(0, 8, "email")},
			want: map[string]Counts{"email": {Gold: 1, Pred: 2, TP: 1, FP: 1, ExactTP: 1, Partial: 1}}},
		{name: "one prediction spanning two gold spans matches only one",
			gold: []textcorpus.Span{g(0, 4, "person_name"), g(5, 9, "person_name")}, preds: []pred{p(0, 9, "person_name")},
			want: map[string]Counts{"person_name": {Gold: 2, Pred: 1, TP: 1, FN: 1}}},
		{name: "largest overlap wins the gold span",
			gold: []textcorpus.Span{g(0, 10, "phone"), g(20, 30, "phone")}, preds: []pred{p(0, 6, "phone"), p(0, 10, "phone"), p(21, 30, "phone")},
			want: map[string]Counts{"phone": {Gold: 2, Pred: 3, TP: 2, FP: 1, FN: 0, ExactTP: 1, Partial: 1}}},
		{name: "unlabelled type is not an FP",
			gold: []textcorpus.Span{g(0, 10, "phone")}, preds: []pred{p(0, 10, "phone"), p(12, 20, "geo_coordinates")},
			want:       map[string]Counts{"phone": {Gold: 1, Pred: 1, TP: 1, ExactTP: 1}},
			unlabelled: map[string]int{"geo_coordinates": 1}},
		{name: "spurious prediction on a hard negative",
			gold: nil, preds: []pred{p(3, 12, "phone")},
			want: map[string]Counts{"phone": {Pred: 1, FP: 1}}},
		{name: "nothing predicted",
			gold: []textcorpus.Span{g(0, 3, "email"), g(5, 9, "email")},
			want: map[string]Counts{"email": {Gold: 2, FN: 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, un := scoreDoc(tc.gold, tc.preds, labelled)
			if len(got) != len(tc.want) {
				t.Fatalf("types %v, want %v", got, tc.want)
			}
			for typ, w := range tc.want {
				if got[typ] != w {
					t.Errorf("%s: got %+v, want %+v", typ, got[typ], w)
				}
			}
			if len(un) != len(tc.unlabelled) {
				t.Errorf("unlabelled %v, want %v", un, tc.unlabelled)
			}
			for typ, n := range tc.unlabelled {
				if un[typ] != n {
					t.Errorf("unlabelled %s: %d, want %d", typ, un[typ], n)
				}
			}
		})
	}
}

func TestRates(t *testing.T) {
	for _, tc := range []struct {
		c       Counts
		p, r, f float64
	}{
		{Counts{Gold: 10, Pred: 10, TP: 8, FP: 2, FN: 2}, 0.8, 0.8, 0.8},
		{Counts{Gold: 10, Pred: 5, TP: 5, FN: 5}, 1, 0.5, 5 * 0.5 / (4 + 0.5)},
		{Counts{Gold: 0, Pred: 0}, 1, 1, 1},
		{Counts{Gold: 3, Pred: 0, FN: 3}, 0, 0, 0},
		{Counts{Gold: 0, Pred: 2, FP: 2}, 0, 1, 0},
	} {
		if !near(tc.c.Precision(), tc.p) || !near(tc.c.Recall(), tc.r) || !near(tc.c.F2(), tc.f) {
			t.Errorf("%+v: P %.3f R %.3f F2 %.3f, want %.3f %.3f %.3f", tc.c, tc.c.Precision(), tc.c.Recall(), tc.c.F2(), tc.p, tc.r, tc.f)
		}
	}
	ex := Counts{Gold: 4, Pred: 5, TP: 4, FP: 1, ExactTP: 2}.exact()
	if ex.TP != 2 || ex.FP != 3 || ex.FN != 2 {
		t.Errorf("exact counts %+v", ex)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestUnmatchedListsOffsetsOnly(t *testing.T) {
	gold := []textcorpus.Span{{Start: 0, End: 10, Type: "phone"}, {Start: 20, End: 30, Type: "email"}}
	preds := []pred{{Start: 0, End: 10, Type: "phone"}, {Start: 40, End: 45, Type: "phone"}, {Start: 50, End: 55, Type: "geo_coordinates"}}
	fn, fp := unmatched(gold, preds, map[string]bool{"phone": true, "email": true})
	if len(fn) != 1 || fn[0].Type != "email" {
		t.Errorf("fn %+v", fn)
	}
	if len(fp) != 1 || fp[0].Start != 40 {
		t.Errorf("fp %+v", fp)
	}
}
