package sqlkit

import "github.com/piimap/piimap/executor/driver"

// Counted is the result of an erasure target the store only counts: a
// dry run, where every found row would change, or a view, whose rows are
// erased through its base tables (targets of their own) and which changes
// nothing itself; Verify reports whatever it still shows.
func Counted(found int64, view, dry bool) driver.Result {
	if view && !dry {
		return driver.Result{Found: found}
	}
	return driver.Result{Found: found, Changed: found}
}

// RectifyCounted decides a rectification target from its counts before
// anything is written: found rows hold the subject, stale ones differ from
// the new values. A view is rectified through its base tables and changes
// nothing; a dry run, or no stale row, changes the stale rows at most. ok
// false means the rows must be updated.
func RectifyCounted(found, stale int64, view, dry bool) (r driver.Result, ok bool) {
	switch {
	case view:
		return driver.Result{Found: found}, true
	case dry || stale == 0:
		return driver.Result{Found: found, Changed: stale}, true
	}
	return driver.Result{}, false
}
