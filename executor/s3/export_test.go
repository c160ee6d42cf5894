package s3

// SetBeforeCommit installs a hook that runs after an erasure has written
// the new version and before its conditional put commits.
func SetBeforeCommit(h *Handler, fn func(key string)) { h.beforeCommit = fn }
