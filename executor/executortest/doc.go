// Package executortest is the conformance suite every executor handler
// passes: erase, then find returns nothing; a second erase changes nothing;
// no other subject's data changes; a dry run writes nothing; and Find,
// Count and the export row count agree.
//
// A handler package calls Run with a function that builds a fresh store
// holding a planted subject and some other subjects, and returns a Fixture.
package executortest
