package lead

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// FStageReason travels with a stage change in Changes: why the lead
// moves. It is recorded on the timeline, not stored on the lead.
const FStageReason = "stage_reason"

// DefaultDisqualifyReasons are the reasons a lead may be disqualified for
// until an admin sets the team's own list.
var DefaultDisqualifyReasons = []string{"no budget", "no authority", "no need", "bad timing", "competitor", "spam", "other"}

// knownReason reports whether r is one of reasons, ignoring case.
func knownReason(reasons []string, r string) bool {
	return slices.ContainsFunc(reasons, func(x string) bool { return strings.EqualFold(x, strings.TrimSpace(r)) })
}

// moves lists where a lead may go from each stage: one step along the
// lifecycle, one step back, or to a side state. Anything else is a jump
// only an admin may make, with a reason.
var moves = map[Stage][]Stage{
	Subscriber:   {StageLead, MQL, Nurturing, Disqualified},
	StageLead:    {Subscriber, MQL, Nurturing, Disqualified},
	MQL:          {SQL, StageLead, Nurturing, Disqualified},
	SQL:          {Opportunity, MQL, Nurturing, Disqualified},
	Opportunity:  {Customer, SQL, Nurturing, Disqualified},
	Customer:     {},
	Nurturing:    {StageLead, MQL, Disqualified},
	Disqualified: {StageLead, Nurturing},
}

// NextStages lists where a lead in stage s may move without an admin.
func NextStages(s Stage) []Stage { return moves[s] }

// Move is a stage change asked for.
type Move struct {
	From, To  Stage
	Reason    string
	Qualified bool // the lead passed BANT qualification
	Admin     bool
	Reasons   []string // the disqualify reasons in force; nil for the defaults
}

// Check returns why the move is refused, or "" when it is allowed.
func (m Move) Check() string {
	reason := strings.TrimSpace(m.Reason)
	reasons := m.Reasons
	if reasons == nil {
		reasons = DefaultDisqualifyReasons
	}
	switch {
	case m.From == m.To:
		return ""
	case m.To == Disqualified && !knownReason(reasons, reason):
		return "disqualifying needs a reason: one of " + strings.Join(reasons, ", ")
	case m.To == Nurturing && reason == "":
		return "sending a lead to nurturing needs a reason"
	case m.From == MQL && m.To == SQL && !m.Qualified && !(m.Admin && reason != ""):
		return "an MQL becomes an SQL through BANT qualification (budget, authority, need, timing)"
	case slices.Contains(moves[m.From], m.To):
		return ""
	case m.Admin && reason != "":
		return ""
	case m.Admin:
		return "moving from " + string(m.From) + " to " + string(m.To) + " skips the lifecycle: give a reason"
	}
	allowed := make([]string, len(moves[m.From]))
	for i, s := range moves[m.From] {
		allowed[i] = string(s)
	}
	if len(allowed) == 0 {
		return "a customer stays a customer; only an admin can move it, with a reason"
	}
	return "cannot move from " + string(m.From) + " to " + string(m.To) + " (allowed: " + strings.Join(allowed, ", ") +
		"; an admin can make other moves with a reason)"
}

// StageSpan is a stretch of time a lead spent in one stage.
type StageSpan struct {
	Stage    Stage
	From     time.Time
	Duration time.Duration
}

// TimeInStages replays a lead's stage changes (its timeline, any order)
// into the stretches it spent in each stage, oldest first; the last runs
// until now.
func TimeInStages(l Lead, timeline []Change, now time.Time) []StageSpan {
	var changes []Change
	for _, c := range timeline {
		if c.Kind == KindStage {
			changes = append(changes, c)
		}
	}
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].At.Before(changes[j].At) })
	current, since := l.Stage, l.CreatedAt
	if len(changes) > 0 {
		current = Stage(changes[0].Detail[FStage][0])
	}
	var spans []StageSpan
	for _, c := range changes {
		spans = append(spans, StageSpan{Stage: current, From: since, Duration: c.At.Sub(since)})
		current, since = Stage(c.Detail[FStage][1]), c.At
	}
	return append(spans, StageSpan{Stage: current, From: since, Duration: now.Sub(since)})
}
