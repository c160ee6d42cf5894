// Package config loads and validates piimap.yaml (DESIGN §8): the graph
// directory, the stores to scan, extra rule directories, the processing
// instructions register and scan schedules. Unknown keys are an error, ${ENV}
// references are expanded, and relative paths are resolved against the
// directory of the config file so a config works from any working directory.
package config
