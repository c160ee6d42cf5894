// Package estate generates the demo estate: a deterministic, seeded set of
// stores full of fake personal data and hard negatives, plus the ground truth
// that the end-to-end tests and `piimap demo` check the scan and the DSAR flow
// against. Every value is fake.
//
// Layout under Dir:
//
//	warehouse.duckdb                      main.customers, main.orders (FK → customers), main.marketing_audience (derived)
//	files/events/day=2026-11-0N/events.parquet   user_id, email, ip + negatives
//	files/exports/customers_export.csv    user_id, full_name, email, phone + negatives
//	files/logs/app.jsonl                  PII inside "msg" strings
//	files/logs/app.log                    plain-text log
//	files/logs/archive/app-2026-10.log.gz gzipped log
//	piimap.yaml, ground-truth.json
package estate
