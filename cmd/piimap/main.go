package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"syscall"

	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/lineage"
)

// Exit codes (DESIGN §7).
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	exitGaps  = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitCodeError carries an exit code other than 1 up to run.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitCodeError) Unwrap() error { return e.err }

// errGaps makes the command exit 3 after printing its result normally.
var errGaps = &exitCodeError{code: exitGaps}

// usageError marks bad flags or arguments (exit 2).
func usageError(format string, a ...any) error {
	return &exitCodeError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

// run executes the command line and returns the process exit code.
//
// Errors are printed as "piimap: <error>" with the error text through
// lineage.TermSafe: errors quote store, asset and file names, which must
// not drive the terminal. When stdout or stderr is a terminal, it is also
// wrapped in a termWriter as a safety net (see newApp).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	root := app.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(app.stdout)
	root.SetErr(app.stderr)
	err := root.ExecuteContext(ctx)
	app.close()
	if err == nil {
		return exitOK
	}
	var ce *exitCodeError
	if errors.As(err, &ce) {
		if ce.err != nil {
			printError(app.stderr, ce.err)
		}
		return ce.code
	}
	printError(app.stderr, err)
	return exitError
}

// printError prints "piimap: <err>" on one line: control characters in
// the error text (a hostile name it quotes, or a newline) are escaped.
// Errors a user acts on the same way wherever they arise are said in the
// user's terms (userMessage).
func printError(w io.Writer, err error) {
	fmt.Fprintln(w, "piimap:", lineage.TermSafe(userMessage(err)))
}

// userMessage is the text of err for a user: a sentinel with one meaning
// for every command is said once, in their terms, with the next step
// (without the internal wrapping around it); anything else as it is.
func userMessage(err error) string {
	var noReq *executor.NoRequestError
	switch {
	case errors.Is(err, lineage.ErrNoScan):
		return lineage.ErrNoScan.Error()
	case errors.As(err, &noReq):
		return noReq.Error()
	}
	return internalPrefix.ReplaceAllString(err.Error(), "$1")
}

// internalPrefix matches the "package: " prefixes of piimap's own
// packages in a wrapped error ("executor: request x: badgerstore: …"):
// they tell a developer where an error passed, not a user what happened.
// Store kinds (postgres:, files:, …) and command names stay: they are the
// user's words. --verbose logs keep the whole text.
var internalPrefix = regexp.MustCompile(`(^|: |\()(?:executor|badgerstore|lineage|scanner|idfilter|fingerprint|sqlextract|memgraph|classifiers|estate|planning|evidence|sqlkit|filerewrite|fileformat|driver): `)
