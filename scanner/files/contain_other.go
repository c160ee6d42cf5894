//go:build !unix

package files

const oNonblock = 0
