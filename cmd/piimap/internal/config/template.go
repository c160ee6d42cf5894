package config

import _ "embed"

//go:embed example.yaml
var example []byte

//go:embed example_local.yaml
var exampleLocal []byte

// Examples are the configs `piimap init --example NAME` writes.
var Examples = map[string][]byte{"default": example, "local": exampleLocal}

// Example returns the commented default config `piimap init` writes.
func Example() []byte { return append([]byte(nil), example...) }
