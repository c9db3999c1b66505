// Package bulk applies one action to many leads at once (give them an
// owner, move them to a stage, enrol them in a sequence, delete them),
// each through the lead or nurturing service as if done one by one, so
// every check, version and timeline entry is the same; what is refused
// for one lead is said for that lead and does not stop the others.
package bulk

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/nurture"
)

// The actions.
const (
	Assign = "assign" // Value: an owner's email, or "" for nobody
	Stage  = "stage"  // Value: a stage; Reason when it needs one
	Enrol  = "enrol"  // Value: a sequence id
	Delete = "delete"
)

// MaxLeads bounds one request.
const MaxLeads = 500

// Action is what to do to every lead.
type Action struct {
	Kind   string
	Value  string
	Reason string
}

// Refusal is a lead the action was refused for, and why.
type Refusal struct {
	ID     int64  `json:"id"`
	Reason string `json:"reason"`
}

// Result says what happened to each lead.
type Result struct {
	Done    []int64   `json:"done"`
	Refused []Refusal `json:"refused"`
}

// Service applies actions through the services that own them.
type Service struct {
	Leads   *lead.Service
	Nurture *nurture.Service
}

// Apply does act to each of ids as a. The request as a whole is refused,
// naming the field, when it cannot be done for any lead (no leads, an
// unknown action, a role that may not delete); otherwise each lead is
// done or refused on its own.
func (s *Service) Apply(ctx context.Context, a access.Actor, ids []int64, act Action) (Result, error) {
	res := Result{Done: []int64{}, Refused: []Refusal{}}
	bad := fault.Fields{}
	if len(ids) == 0 || len(ids) > MaxLeads {
		bad.Add("ids", fmt.Sprintf("must name 1 to %d leads", MaxLeads))
	}
	var seq int64
	switch act.Kind {
	case Assign:
	case Stage:
		if strings.TrimSpace(act.Value) == "" {
			bad.Add("value", "must be the stage to move the leads to")
		}
	case Enrol:
		var err error
		if seq, err = strconv.ParseInt(act.Value, 10, 64); err != nil || seq <= 0 {
			bad.Add("value", "must be the id of a sequence")
		}
	case Delete:
		if !a.CanDeleteLeads() {
			return res, fault.Errorf(fault.Forbidden, "only admin and marketing users can delete leads")
		}
	default:
		bad.Add("action", "must be assign, stage, enrol or delete")
	}
	if err := bad.Err(); err != nil {
		return res, err
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		var err error
		switch act.Kind {
		case Assign:
			_, err = s.Leads.Update(ctx, a, id, lead.Changes{lead.FOwner: act.Value})
		case Stage:
			_, err = s.Leads.Update(ctx, a, id, lead.Changes{lead.FStage: act.Value, lead.FStageReason: act.Reason})
		case Enrol:
			_, _, err = s.Nurture.Enrol(ctx, a, seq, id, "bulk")
		case Delete:
			err = s.Leads.Delete(ctx, a, id)
		}
		switch e := fault.As(err); {
		case err == nil:
			res.Done = append(res.Done, id)
		case e != nil:
			res.Refused = append(res.Refused, Refusal{ID: id, Reason: reason(e)})
		default:
			return res, err
		}
	}
	return res, nil
}

// reason is a refusal in a sentence: its field reasons, else its message.
func reason(e *fault.Error) string {
	var parts []string
	for f, why := range e.Fields {
		parts = append(parts, f+" "+why)
	}
	if len(parts) == 0 {
		return e.Message
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}
