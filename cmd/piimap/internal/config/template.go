package config

import _ "embed"

//go:embed example.yaml
var example []byte

// Example returns the commented config `piimap init` writes.
func Example() []byte { return append([]byte(nil), example...) }
