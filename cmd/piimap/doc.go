// Command piimap finds personal data across an organisation's stores, keeps
// the PII location map, and carries out data-subject requests on it.
//
// This package is wiring only: flags → config → the scanner, lineage and
// executor packages. See DESIGN §7 for the command line contract.
//
// config.go loads and validates piimap.yaml (DESIGN §8): the graph
// directory, the stores to scan, extra rule directories, the processing
// instructions register and scan schedules. Unknown keys are an error,
// ${ENV} references are expanded in values only, and relative paths are
// resolved against the directory of the config file, so a config works from
// any working directory. `piimap init` writes config_example*.yaml.
//
// Nothing else is logic here. The demo estate comes from internal/estate
// (the generator the end-to-end tests and bench/estategen use too);
// `lineage ingest` stores sources with lineage/ingest and writes its run
// with ingest.Apply; `lineage serve` keeps its documents in a
// badgerstore.SharedDocs, which opens the graph directory per request;
// store kinds and printable URLs come from scanner.KindOf and
// scanner.RedactURL. acceptance_test.go builds its own estate, independent
// of internal/estate on purpose (issue 10: the acceptance estate comes from
// a second generator).
package main
