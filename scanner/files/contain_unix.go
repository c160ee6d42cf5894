//go:build unix

package files

import "syscall"

// oNonblock keeps an open from blocking on a FIFO swapped in after the
// Lstat check (the opened file is then refused as not the one checked).
const oNonblock = syscall.O_NONBLOCK
