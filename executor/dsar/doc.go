// Package dsar names what a data-subject request, its plan and its receipt
// all speak of: the request's Type, its Status, an Approval, and the masked
// form in which an identifier is shown to people (MaskDisplay).
//
// It exists so that the layers of the executor can share those words
// without importing each other's work: executor/planning derives a plan
// for a request Type, executor/evidence signs a receipt stating the final
// Status and the Approvals, and the request flow in package executor,
// which imports both, moves a Request through the Statuses. It holds no
// logic beyond the values' own rules and imports nothing of the executor.
package dsar
