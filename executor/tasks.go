package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/executor/principal"
)

// Manual tasks: the locations of a plan that people handle by hand
// (planning.Plan.Tasks: a store marked `manual: true`, or a store kind
// without a handler). A run opens one task per location; `piimap task
// done ID --note` closes it as done (principal.CompleteTask) and `--waive`
// as waived (principal.WaiveTask, an approver who is not the requester).
// The principal and the note are entered in the audit log and the
// receipt. A request with an open task stays executing; closing its last
// task finishes it: completed, or completed_with_exceptions when a task
// was waived (or anything else is left behind), with the receipt signed
// again.

const docTask = "dsar.task"

// Task is one manual task of a request.
type Task struct {
	ID      string `json:"id"`
	Request string `json:"request"`
	Tenant  string `json:"tenant"`
	planning.Task
	Status    string     `json:"status"` // evidence.TaskOpen, TaskDone, TaskWaived
	CreatedAt time.Time  `json:"created_at"`
	ClosedBy  string     `json:"closed_by,omitempty"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	Note      string     `json:"note,omitempty"`
}

// manualReason says why a store's work is left to people: the store is
// marked manual, or its kind has no handler; "" when piimap does it.
func (s *Service) manualReason(store, kind string) string {
	if sc, ok := s.stores[store]; ok && sc.Manual {
		return "store " + store + " is marked manual: true"
	}
	if _, err := s.opener(kind); err != nil {
		return "piimap has no handler for store kind " + kind
	}
	return ""
}

// ensureTasks opens (once) the request's tasks for the plan's manual
// locations and returns them in plan order.
func (s *Service) ensureTasks(ctx context.Context, req *Request, plan *planning.Plan) ([]Task, error) {
	var out []Task
	for i, pt := range plan.Tasks {
		id := fmt.Sprintf("%s-task-%d", req.ID, i+1)
		t, err := s.loadTask(ctx, id)
		switch {
		case err == nil:
		case errors.Is(err, piimap.ErrNotFound):
			t = Task{ID: id, Request: req.ID, Tenant: req.tenant(), Task: pt, Status: evidence.TaskOpen, CreatedAt: now()}
			if err := s.saveTask(ctx, t); err != nil {
				return nil, err
			}
			if err := s.auditLog.Append(ctx, req.ID, "task.open", actorName(ctx),
				fmt.Sprintf("task=%s store=%s asset=%s action=%s reason=%q", id, pt.Store, pt.Asset, pt.Action, pt.Reason)); err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (s *Service) saveTask(ctx context.Context, t Task) error {
	b, _ := json.Marshal(t)
	if err := s.docs.PutDoc(ctx, docTask, t.ID, b); err != nil {
		return fmt.Errorf("executor: task %s: %w", t.ID, err)
	}
	return nil
}

func (s *Service) loadTask(ctx context.Context, id string) (Task, error) {
	b, err := s.docs.GetDoc(ctx, docTask, id)
	if err != nil {
		return Task{}, fmt.Errorf("executor: task %s: %w", termKey(id), err)
	}
	var t Task
	if err := json.Unmarshal(b, &t); err != nil {
		return Task{}, fmt.Errorf("executor: task %s: %w", id, piimap.ErrCorrupt)
	}
	return t, nil
}

// receiptTasks is how a receipt states tasks.
func receiptTasks(ts []Task) []evidence.ReceiptTask {
	var out []evidence.ReceiptTask
	for _, t := range ts {
		out = append(out, evidence.ReceiptTask{ID: t.ID, Store: t.Store, Asset: t.Asset, Action: t.Action, Status: t.Status,
			By: t.ClosedBy, Note: t.Note, ClosedAt: t.ClosedAt})
	}
	return out
}

// withTasks puts the tasks in the receipt and settles its status: an open
// task keeps the request executing; a waived one leaves it
// completed_with_exceptions. A failed run stays failed.
func withTasks(r *evidence.Receipt, ts []Task) {
	r.Tasks = receiptTasks(ts)
	if r.Status == dsar.StatusFailed {
		return
	}
	for _, t := range ts {
		switch t.Status {
		case evidence.TaskOpen:
			r.Status = dsar.StatusExecuting
			return
		case evidence.TaskWaived:
			r.Status = dsar.StatusExceptions
		}
	}
}

// settled is a finished run's status from what its receipt shows: failed
// when a location failed, completed_with_exceptions when anything is left
// behind (a residual, a gap, an exception), else completed.
func settled(r *evidence.Receipt) dsar.Status {
	st := dsar.StatusCompleted
	for _, l := range r.Locations {
		switch {
		case l.Status == evidence.LocFailed:
			return dsar.StatusFailed
		case l.Residual > 0:
			st = dsar.StatusExceptions
		}
	}
	if len(r.Gaps) > 0 || len(r.Exceptions) > 0 {
		st = dsar.StatusExceptions
	}
	return st
}

// TaskFilter narrows Tasks.
type TaskFilter struct {
	Tenant  string
	Request string
	Open    bool // only open tasks
}

// Tasks lists manual tasks the acting principal may read
// (principal.ReadRequest), oldest first.
func (s *Service) Tasks(ctx context.Context, f TaskFilter) ([]Task, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	actor, err := s.actor(ctx)
	if err != nil {
		return nil, s.refuse(ctx, "", principal.ReadRequest, "unknown", err)
	}
	tenant := f.Tenant
	if tenant == "" && actor.Tenant != principal.AllTenants {
		tenant = actor.Tenant
	}
	scope := tenant
	if scope == "" {
		scope = principal.AllTenants
	}
	if _, _, err := s.authorize(ctx, principal.ReadRequest, "", scope); err != nil {
		return nil, err
	}
	out := []Task{}
	err = s.docs.ListDocs(ctx, docTask, func(id string, data []byte) error {
		var t Task
		if err := json.Unmarshal(data, &t); err != nil {
			return fmt.Errorf("executor: task %s: %w", id, piimap.ErrCorrupt)
		}
		if (tenant == "" || t.Tenant == tenant) && (f.Request == "" || t.Request == f.Request) && (!f.Open || t.Status == evidence.TaskOpen) {
			out = append(out, t)
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}

// CloseTask records a manual task as done (principal.CompleteTask) or,
// with waive, waived (principal.WaiveTask: an approver, never the
// request's requester). note says what was done or why it is waived; it
// is kept (free-text PII redacted) in the task, the audit log and the
// receipt. Closing a request's last open task finishes the request.
func (s *Service) CloseTask(ctx context.Context, id, note string, waive bool) (Task, error) {
	if err := s.init(ctx); err != nil {
		return Task{}, err
	}
	t, err := s.loadTask(ctx, id)
	if err != nil {
		if errors.Is(err, piimap.ErrNotFound) {
			return t, fmt.Errorf("executor: task %s not found (piimap task list): %w", termKey(id), piimap.ErrNotFound)
		}
		return t, err
	}
	act, verb := principal.CompleteTask, "task.done"
	if waive {
		act, verb = principal.WaiveTask, "task.waive"
	}
	ctx, actor, err := s.authorize(ctx, act, t.Request, t.Tenant)
	if err != nil {
		return t, err
	}
	if strings.TrimSpace(note) == "" {
		return t, fmt.Errorf("executor: %s %s: a --note is required: say what was done (or, waiving, why not); it is kept in the audit log: %w",
			strings.ReplaceAll(verb, ".", " "), id, piimap.ErrConfig)
	}
	if t.Status != evidence.TaskOpen {
		return t, s.refuse(ctx, t.Request, act, actor.Name, fmt.Errorf("executor: task %s is already %s (by %s): %w", id, t.Status, t.ClosedBy, ErrTransition))
	}
	req, err := s.loadRequest(ctx, t.Request)
	if err != nil {
		return t, err
	}
	if waive && principal.SameName(actor.Name, req.Requester) {
		return t, s.refuse(ctx, t.Request, act, actor.Name, fmt.Errorf("executor: task %s: %s filed the request and cannot waive its tasks: %w", id, actor.Name, ErrApprover))
	}
	at := now()
	t.Status, t.ClosedBy, t.ClosedAt, t.Note = evidence.TaskDone, actor.Name, &at, redactFreeText(note)
	if waive {
		t.Status = evidence.TaskWaived
	}
	if err := s.saveTask(ctx, t); err != nil {
		return t, err
	}
	if err := s.auditLog.Append(ctx, t.Request, verb, actor.Name, fmt.Sprintf("task=%s store=%s asset=%s note=%q", t.ID, t.Store, t.Asset, t.Note)); err != nil {
		return t, err
	}
	return t, s.settleTasks(ctx, req)
}

// settleTasks finishes a request waiting on manual tasks once none is
// open: its receipt gets the tasks and its final status, and is signed
// again.
func (s *Service) settleTasks(ctx context.Context, req *Request) error {
	ts, err := s.Tasks(ctx, TaskFilter{Request: req.ID, Tenant: req.tenant()})
	if err != nil {
		return err
	}
	rc, err := s.receipts.Load(ctx, req.ID)
	if err != nil {
		if errors.Is(err, piimap.ErrNotFound) {
			return nil // not run yet
		}
		return err
	}
	rc.Status = settled(rc)
	withTasks(rc, ts)
	if rc.Status == dsar.StatusExecuting {
		return s.receipts.Save(ctx, rc, actorName(ctx)) // still waiting; the receipt shows progress
	}
	rc.CompletedAt = now()
	if req.Status == dsar.StatusExecuting {
		if err := req.move(rc.Status, actorName(ctx), "manual tasks closed"); err != nil {
			return err
		}
		if err := s.saveRequest(ctx, req); err != nil {
			return err
		}
	}
	if err := s.auditLog.Append(ctx, req.ID, "tasks.settled", actorName(ctx), fmt.Sprintf("tasks=%d status=%s", len(ts), rc.Status)); err != nil {
		return err
	}
	return s.receipts.Save(ctx, rc, actorName(ctx))
}
