package principal

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Role is what a principal may do, within its tenant.
type Role string

// The roles (README, "Governed requests").
const (
	Requester Role = "requester" // files requests and reads its tenant's requests
	Approver  Role = "approver"  // approves or denies plans; reads requests and receipts
	Operator  Role = "operator"  // plans, runs and cancels; scans and reads the map
	Auditor   Role = "auditor"   // reads requests, receipts, the map and the audit log; changes nothing
	Admin     Role = "admin"     // everything, and manages principals
)

// Roles lists the roles in the order they are documented.
var Roles = []Role{Requester, Approver, Operator, Auditor, Admin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Action is one thing a command does that a role may or may not allow.
type Action string

// The actions Authorize checks.
const (
	CreateRequest   Action = "request.create"   // dsar new
	AttestRequest   Action = "request.attest"   // dsar attest, --attested-by at intake
	ReadRequest     Action = "request.read"     // dsar status, list
	PlanRequest     Action = "request.plan"     // dsar plan
	ApproveRequest  Action = "request.approve"  // dsar approve
	DenyRequest     Action = "request.deny"     // dsar deny
	RunRequest      Action = "request.run"      // dsar run (dry run and --apply)
	CancelRequest   Action = "request.cancel"   // dsar cancel
	ReadReceipt     Action = "receipt.read"     // dsar receipt, receipt verify, dsar evidence
	ReadMap         Action = "map.read"         // map and the other views of the graph
	RunScan         Action = "map.scan"         // scan: writes the map
	ReadAudit       Action = "audit.read"       // audit verify, audit head
	ManagePrincipal Action = "principal.manage" // principal add, list, revoke
	ManageHold      Action = "hold.manage"      // hold add, hold release
	CompleteTask    Action = "task.complete"    // task done
	WaiveTask       Action = "task.waive"       // task done --waive
	ReplayLedger    Action = "ledger.replay"    // ledger replay (dry run and --apply)
)

// Permissions is the role → action table; the README prints the same table.
// Admin holds every action. Keep this the only place that grants.
var Permissions = map[Role][]Action{
	Requester: {CreateRequest, AttestRequest, ReadRequest},
	Approver:  {ReadRequest, ApproveRequest, DenyRequest, ReadReceipt, ManageHold, WaiveTask},
	Operator:  {ReadRequest, AttestRequest, PlanRequest, RunRequest, CancelRequest, ReadReceipt, ReadMap, RunScan, CompleteTask, ReplayLedger},
	Auditor:   {ReadRequest, ReadReceipt, ReadMap, ReadAudit},
	Admin: {CreateRequest, AttestRequest, ReadRequest, PlanRequest, ApproveRequest, DenyRequest, RunRequest,
		CancelRequest, ReadReceipt, ReadMap, RunScan, ReadAudit, ManagePrincipal, ManageHold, CompleteTask, WaiveTask, ReplayLedger},
}

// verbs phrase each action for an error message: "may not <verb>".
var verbs = map[Action]string{
	CreateRequest:   "file requests",
	AttestRequest:   "record identity attestations",
	ReadRequest:     "read requests",
	PlanRequest:     "plan requests",
	ApproveRequest:  "approve requests",
	DenyRequest:     "deny requests",
	RunRequest:      "run requests",
	CancelRequest:   "cancel requests",
	ReadReceipt:     "read receipts",
	ReadMap:         "read the map",
	RunScan:         "scan stores",
	ReadAudit:       "read the audit log",
	ManagePrincipal: "manage principals",
	ManageHold:      "add or release legal holds",
	CompleteTask:    "complete manual tasks",
	WaiveTask:       "waive manual tasks",
	ReplayLedger:    "replay the forget ledger",
}

// Allows reports whether role r grants action a.
func (r Role) Allows(a Action) bool { return slices.Contains(Permissions[r], a) }

// RolesAllowing lists the roles granting a, in documented order.
func RolesAllowing(a Action) []Role {
	var out []Role
	for _, r := range Roles {
		if r.Allows(a) {
			out = append(out, r)
		}
	}
	return out
}

// AllTenants is the tenant of a principal that may act on every tenant.
const AllTenants = "*"

// ErrPermission wraps every refusal by Authorize: the principal's role or
// tenant does not allow the action. The error is a *PermissionError.
var ErrPermission = errors.New("permission denied")

// PermissionError says who was refused what, and who could.
type PermissionError struct {
	Principal Principal
	Action    Action
	Tenant    string // the tenant acted on; "" when the action names none
	// Missing is "role" or "tenant": which of the two refused.
	Missing string
}

func (e *PermissionError) Error() string {
	p := e.Principal
	who := fmt.Sprintf("principal %s (%s, tenant %s)", p.Name, p.Role, p.Tenant)
	verb := verbs[e.Action]
	if verb == "" {
		verb = string(e.Action)
	}
	if e.Missing == "tenant" && e.Tenant == AllTenants {
		return fmt.Sprintf("permission denied: %s may not %s of every tenant; a principal of tenant %s can", who, verb, AllTenants)
	}
	if e.Missing == "tenant" {
		return fmt.Sprintf("permission denied: %s may not %s of tenant %s; a principal of tenant %s (or %s) can",
			who, verb, e.Tenant, e.Tenant, AllTenants)
	}
	var can []string
	for _, r := range RolesAllowing(e.Action) {
		if r != Admin {
			can = append(can, string(r))
		}
	}
	roles := "an admin"
	if len(can) > 0 {
		roles = "a principal with role " + strings.Join(can, " or ") + " (or admin)"
	}
	where := ""
	if e.Tenant != "" {
		where = " of tenant " + e.Tenant
	}
	return fmt.Sprintf("permission denied: %s may not %s; %s%s can", who, verb, roles, where)
}

func (e *PermissionError) Unwrap() error { return ErrPermission }

// Authorize reports whether p may perform a on tenant ("" for actions that
// concern no one tenant, such as managing principals, which then need a
// principal of every tenant). It returns nil or a *PermissionError.
func Authorize(p Principal, a Action, tenant string) error {
	if !p.Role.Allows(a) {
		return &PermissionError{Principal: p, Action: a, Tenant: tenant, Missing: "role"}
	}
	if !p.Covers(tenant) {
		return &PermissionError{Principal: p, Action: a, Tenant: tenant, Missing: "tenant"}
	}
	return nil
}

// Covers reports whether p acts for tenant: its own tenant, or any when p
// is of AllTenants. The empty tenant (an action on the installation as a
// whole) is covered only by AllTenants.
func (p Principal) Covers(tenant string) bool {
	if p.Tenant == AllTenants {
		return true
	}
	return tenant != "" && tenant == p.Tenant
}
