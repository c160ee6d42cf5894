package dsar_test

import (
	"testing"

	"github.com/piimap/piimap/executor/dsar"
)

func TestLifecycle(t *testing.T) {
	cases := []struct {
		from, to dsar.Status
		ok       bool
	}{
		{dsar.StatusReceived, dsar.StatusVerified, true},
		{dsar.StatusReceived, dsar.StatusPlanned, false}, // attest first
		{dsar.StatusVerified, dsar.StatusPlanned, true},
		{dsar.StatusPlanned, dsar.StatusApproved, true},
		{dsar.StatusPlanned, dsar.StatusExecuting, false}, // approve first
		{dsar.StatusApproved, dsar.StatusPlanned, true},   // re-plan
		{dsar.StatusApproved, dsar.StatusExecuting, true},
		{dsar.StatusExecuting, dsar.StatusVerifying, true},
		{dsar.StatusExecuting, dsar.StatusCancelled, false}, // not mid-run
		{dsar.StatusVerifying, dsar.StatusCompleted, true},
		{dsar.StatusVerifying, dsar.StatusExceptions, true},
		{dsar.StatusFailed, dsar.StatusExecuting, true}, // resume
		{dsar.StatusCompleted, dsar.StatusDenied, false},
		{dsar.StatusDenied, dsar.StatusPlanned, false},
		{dsar.StatusCancelled, dsar.StatusReceived, false},
		{"new", dsar.StatusVerified, true},      // a legacy name
		{"running", dsar.StatusVerifying, true}, // a legacy name
		{"completed_with_gaps", dsar.StatusExecuting, true},
	}
	for _, c := range cases {
		if got := dsar.CanMove(c.from, c.to); got != c.ok {
			t.Errorf("CanMove(%s, %s) = %v, want %v", c.from, c.to, got, c.ok)
		}
	}
	for _, s := range dsar.Statuses {
		if s.Open() == (len(s.Next()) == 0) && s != dsar.StatusCompleted && s != dsar.StatusExceptions && s != dsar.StatusFailed {
			t.Errorf("%s: open %v but next %v", s, s.Open(), s.Next())
		}
	}
	if dsar.Status("completed_with_gaps").Canonical() != dsar.StatusExceptions || dsar.StatusPlanned.Canonical() != dsar.StatusPlanned {
		t.Error("Canonical maps legacy names only")
	}
}
