// Command piimap finds personal data across an organisation's stores, keeps
// the PII location map, and carries out data-subject requests on it.
//
// This package is wiring only: flags → config → the scanner, lineage and
// executor packages. See DESIGN §7 for the command line contract.
package main
