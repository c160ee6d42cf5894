package main

import _ "embed"

//go:embed config_example.yaml
var exampleYAML []byte

//go:embed config_example_local.yaml
var exampleLocalYAML []byte

// configExamples are the configs `piimap init --example NAME` writes.
var configExamples = map[string][]byte{"default": exampleYAML, "local": exampleLocalYAML}

// exampleConfig returns the commented default config `piimap init` writes.
func exampleConfig() []byte { return append([]byte(nil), exampleYAML...) }
