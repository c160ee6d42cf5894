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
// estate*.go generate the demo estate `piimap demo` scans: a deterministic,
// seeded set of stores full of fake personal data and hard negatives, plus
// the ground truth the end-to-end tests check the scan and the DSAR flow
// against. Every value is fake. Under its directory:
//
//	warehouse.duckdb                      main.customers, main.orders (FK → customers), main.marketing_audience (derived)
//	files/events/day=2026-11-0N/events.parquet   user_id, email, ip + negatives
//	files/exports/customers_export.csv    user_id, full_name, email, phone + negatives
//	files/logs/app.jsonl                  PII inside "msg" strings
//	files/logs/app.log                    plain-text log
//	files/logs/archive/app-2026-10.log.gz gzipped log
//	piimap.yaml, ground-truth.json
package main
