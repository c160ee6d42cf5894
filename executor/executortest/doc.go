// Package executortest is the conformance suite every executor handler
// passes. Beside the handler's own Find, it checks every erasure with the
// fixture's raw reader (the store's own client, never the handler): Find,
// Count and export agree with the raw count of the planted subject's rows;
// Erase reports a result per target; in delete mode the subject's rows are
// gone, in null and mask modes every field of Target.Fields and every match
// field is cleared, and the subject's original values appear nowhere in the
// asset; every bystander row keeps its bytes; a dry run writes nothing; a
// second erase changes nothing.
//
// A handler package calls Run with a function that builds a fresh store
// holding a planted subject and some other subjects, and returns a Fixture.
package executortest
