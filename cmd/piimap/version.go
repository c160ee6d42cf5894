package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// buildCommit is the commit a build names when the Go toolchain stamped
// none (GOFLAGS=-buildvcs=false, go run):
// go build -ldflags "-X main.buildCommit=$(git rev-parse HEAD)" ./cmd/piimap
var buildCommit string

// version is piimap's module version ("(devel)" for a source build), for
// SARIF tool versions and --version.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// versionLine is what --version prints: the version, the VCS commit (with
// "+dirty" for a modified tree) and the Go version that built it.
func versionLine() string {
	commit := "unknown"
	if buildCommit != "" {
		commit = buildCommit
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
		if rev != "" {
			commit = rev + dirty
		}
	}
	return fmt.Sprintf("piimap %s (commit %s, %s %s/%s)", version(), commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
