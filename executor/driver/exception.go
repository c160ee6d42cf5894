package driver

import "time"

// Exception kinds: why a location sits in the exceptions register instead
// of being changed. A handler names one in an ExceptionError.
const (
	ExceptionLegalHold   = "legal_hold"
	ExceptionBackup      = "immutable_backup"
	ExceptionUnsupported = "unsupported"
	ExceptionRestriction = "restriction"
	// ExceptionRetention: the store refuses deletes (a JetStream stream
	// with deny_delete); the data leaves only when the store's retention
	// expires it, by ExpiresAt.
	ExceptionRetention = "retention"
)

// ExceptionError is returned by a handler's CheckMode (or Erase) when a
// location cannot be changed for a reason that belongs in the exceptions
// register rather than among the gaps — e.g. a stream that denies deletes
// and expires its messages by retention. Plan records it as an Exception of
// Kind with Reason and ExpiresAt. Err is the sentinel it wraps
// (piimap.ErrUnsupported).
type ExceptionError struct {
	Kind      string
	Reason    string
	ExpiresAt *time.Time
	Err       error
}

func (e *ExceptionError) Error() string { return e.Reason }
func (e *ExceptionError) Unwrap() error { return e.Err }
