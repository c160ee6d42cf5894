// Package s3test gives S3 integration tests a real server: the one
// PIIMAP_TEST_S3 names (.ci/run starts versitygw and sets it, e.g.
// s3://?endpoint=http://127.0.0.1:7070&use_path_style=true&region=us-east-1,
// with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment). Each
// test gets its own uniquely named bucket, emptied and removed when the
// test ends. Tests skip, saying why, only when the variable is unset.
//
// Fake is a minimal in-process, read-only S3 server for the few tests that
// need keys a real server normalises away (an absolute key, `..` kept
// literally) or need to see every request a source or handler makes.
package s3test
