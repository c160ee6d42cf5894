//go:build unix

package files

import (
	"os"
	"syscall"
)

// oNonblock keeps an open from blocking on a FIFO swapped in after the
// Lstat check (the opened file is then refused as not the one checked).
const oNonblock = syscall.O_NONBLOCK

// hardLinks is the file's link count (1 when the platform does not say).
func hardLinks(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}
