package segment

import (
	"strconv"
	"strings"
	"time"

	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// where is the SQL that a lead row aliased l (an account row aliased a,
// for an account segment) passes when it is in s at now, with its
// arguments in order. Every condition's SQL is true or
// false, never NULL, so NOT and OR read as a person would expect.
func where(s Segment, d sqldb.Dialect, now time.Time) (string, []any) {
	if len(s.Conditions) == 0 {
		if s.Combine == Any {
			return "1 = 0", nil
		}
		return "1 = 1", nil
	}
	join := " AND "
	if s.Combine == Any {
		join = " OR "
	}
	parts := make([]string, 0, len(s.Conditions))
	var args []any
	for _, c := range s.Conditions {
		sql, a := c.sql(s.Kind, d, now)
		parts = append(parts, "("+sql+")")
		args = append(args, a...)
	}
	return strings.Join(parts, join), args
}

func (c Condition) sql(segKind string, d sqldb.Dialect, now time.Time) (string, []any) {
	if segKind == KindAccounts {
		return c.accountSQL(d, now)
	}
	kind, _ := KindOf(c.Field)
	switch kind {
	case Text:
		return c.textSQL(d, fields[c.Field].column)
	case Choice:
		return c.choiceSQL()
	case Number:
		return c.numberSQL(fields[c.Field].column)
	case Boolean:
		return fields[c.Field].column + " = ?", []any{c.Value == "true"}
	case Event:
		return c.eventSQL(now)
	case Membership:
		sql := "EXISTS (SELECT 1 FROM segment_members sm WHERE sm.segment_id = ? AND sm.lead_id = l.id)"
		if c.Op == NotIn {
			sql = "NOT " + sql
		}
		return sql, []any{c.Segment}
	}
	return "1 = 0", nil // Validate refuses any other field
}

// textSQL compares a text column, or a custom form answer, ignoring case
// (ASCII case on SQLite, as the lead list's search does).
func (c Condition) textSQL(d sqldb.Dialect, expr string) (string, []any) {
	var args []any
	if k, ok := strings.CutPrefix(c.Field, lead.CustomPrefix); ok {
		// custom holds a JSON object of strings, or '' when the lead
		// answered no custom question.
		if d == sqldb.Postgres {
			expr = "COALESCE(CASE WHEN l.custom = '' THEN NULL ELSE l.custom::jsonb ->> ? END, '')"
			args = append(args, k)
		} else {
			expr = "COALESCE(json_extract(NULLIF(l.custom, ''), ?), '')"
			args = append(args, `$."`+k+`"`) // k is [a-z0-9_]: nothing to escape
		}
	}
	switch c.Op {
	case Equals:
		return "lower(" + expr + ") = ?", append(args, strings.ToLower(c.Value))
	case NotEquals:
		return "lower(" + expr + ") <> ?", append(args, strings.ToLower(c.Value))
	case Contains:
		return "lower(" + expr + `) LIKE ? ESCAPE '\'`, append(args, "%"+escapeLike(strings.ToLower(c.Value))+"%")
	case NotContains:
		return "lower(" + expr + `) NOT LIKE ? ESCAPE '\'`, append(args, "%"+escapeLike(strings.ToLower(c.Value))+"%")
	case Empty:
		return expr + " = ''", args
	default: // NotEmpty
		return expr + " <> ''", args
	}
}

func (c Condition) choiceSQL() (string, []any) {
	args := make([]any, 0, len(c.Values))
	var sql string
	if c.Field == lead.FOwner {
		var emails []string
		none := false
		for _, v := range c.Values {
			if v == Unassigned {
				none = true
				continue
			}
			emails = append(emails, v)
			args = append(args, v)
		}
		var parts []string
		if len(emails) > 0 {
			parts = append(parts, "(l.owner_id IS NOT NULL AND l.owner_id IN (SELECT id FROM users WHERE lower(email) IN ("+marks(len(emails))+")))")
		}
		if none {
			parts = append(parts, "l.owner_id IS NULL")
		}
		sql = strings.Join(parts, " OR ")
	} else {
		col := fields[c.Field].column
		if c.Field == lead.FSource {
			col = "lower(l.source)"
		}
		for _, v := range c.Values {
			args = append(args, v)
		}
		sql = col + " IN (" + marks(len(c.Values)) + ")"
	}
	if c.Op == NotIn {
		return "NOT (" + sql + ")", args
	}
	return sql, args
}

func (c Condition) numberSQL(col string) (string, []any) {
	switch c.Op {
	case Empty:
		return col + " IS NULL", nil
	case NotEmpty:
		return col + " IS NOT NULL", nil
	}
	parts := []string{col + " IS NOT NULL"}
	var args []any
	if c.Min != nil {
		parts = append(parts, col+" >= ?")
		args = append(args, *c.Min)
	}
	if c.Max != nil {
		parts = append(parts, col+" <= ?")
		args = append(args, *c.Max)
	}
	return strings.Join(parts, " AND "), args
}

// eventSQL counts the lead's events of the type in the window, stopping
// at the first count that decides: "at least 2" reads two events, not a
// thousand. The lead's events are read from events_lead, which holds
// every column used here.
func (c Condition) eventSQL(now time.Time) (string, []any) {
	return c.countEvents("e.lead_id = l.id", now)
}

// countEvents is eventSQL over the events whose lead passes who.
func (c Condition) countEvents(who string, now time.Time) (string, []any) {
	inner := "SELECT 1 FROM events e WHERE " + who + " AND e.occurred_at > ?"
	args := []any{windowStart(c, now)}
	if c.EventType != AnyEvent {
		inner += " AND e.type = ?"
		args = append(args, c.EventType)
	}
	if c.URLContains != "" {
		inner += ` AND lower(e.url) LIKE ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(strings.ToLower(c.URLContains))+"%")
	}
	if c.Op == AtLeast {
		return "(SELECT COUNT(*) FROM (" + inner + " LIMIT " + strconv.Itoa(c.Count) + ") w) >= " + strconv.Itoa(c.Count), args
	}
	return "(SELECT COUNT(*) FROM (" + inner + " LIMIT " + strconv.Itoa(c.Count+1) + ") w) <= " + strconv.Itoa(c.Count), args
}

// windowStart is the time an event must be after to count for c at now.
func windowStart(c Condition, now time.Time) int64 {
	return now.UnixMilli() - int64(c.Days)*86400000
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// accountSQL is the SQL an account row aliased a passes for c.
func (c Condition) accountSQL(d sqldb.Dialect, now time.Time) (string, []any) {
	f := accountFields[c.Field]
	switch f.kind {
	case Text:
		return c.textSQL(d, f.column)
	case Number:
		return c.numberSQL(f.column)
	case Choice:
		return c.accountChoiceSQL(f.column)
	case Boolean: // open_opportunity
		sql := "EXISTS (SELECT 1 FROM opportunities o WHERE o.account_id = a.id AND o.closed_at IS NULL)"
		if c.Value != "true" {
			sql = "NOT " + sql
		}
		return sql, nil
	case Event:
		// The account's people: the leads converted into it and those
		// linked to it, as its score counts them.
		return c.countEvents(`e.lead_id IN (SELECT p.id FROM leads p WHERE p.account_id = a.id
			UNION SELECT k.lead_id FROM account_links k WHERE k.account_id = a.id AND k.undone_at IS NULL)`, now)
	case Membership:
		sql := "EXISTS (SELECT 1 FROM account_segment_members sm WHERE sm.segment_id = ? AND sm.account_id = a.id)"
		if c.Op == NotIn {
			sql = "NOT " + sql
		}
		return sql, []any{c.Segment}
	}
	return "1 = 0", nil // Validate refuses any other field
}

// accountChoiceSQL tests an account's country, grade, tier or owner;
// "none" is no tier, or no owner.
func (c Condition) accountChoiceSQL(col string) (string, []any) {
	var vals []any
	none := false
	for _, v := range c.Values {
		if v == Unassigned && (c.Field == FTier || c.Field == lead.FOwner) {
			none = true
			continue
		}
		if c.Field == FTier {
			n, _ := strconv.Atoi(v)
			vals = append(vals, n)
			continue
		}
		vals = append(vals, v)
	}
	var parts []string
	if len(vals) > 0 {
		if c.Field == lead.FOwner {
			parts = append(parts, "("+col+" IS NOT NULL AND "+col+" IN (SELECT id FROM users WHERE lower(email) IN ("+marks(len(vals))+")))")
		} else {
			parts = append(parts, "("+col+" IS NOT NULL AND "+col+" IN ("+marks(len(vals))+"))")
		}
	}
	if none {
		parts = append(parts, col+" IS NULL")
	}
	sql := strings.Join(parts, " OR ")
	if c.Op == NotIn {
		return "NOT (" + sql + ")", vals
	}
	return sql, vals
}
