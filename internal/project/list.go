package project

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"leadflow/internal/access"
	"leadflow/internal/fault"
)

// Filter narrows a list of projects; zero fields do not filter.
type Filter struct {
	Type      Type
	Status    DeliveryStatus // a delivery status, or "presale" for those not in delivery yet
	StageID   int64
	AccountID int64
	OwnerID   int64
	Owner     string // an owner's email, when OwnerID is 0
	Query     string // words in the title or the account's name
	Cursor    string // a page's Next; "" for the first page
	Limit     int    // 1 to 500; 50 when 0
}

// Page is one page of projects, newest first.
type Page struct {
	Data []Project
	Next string // the cursor of the next page; "" on the last
}

// List returns the projects a may see that f selects, newest first, a
// page at a time by a cursor on the id.
func (s *Service) List(ctx context.Context, a access.Actor, f Filter) (Page, error) {
	bad := fault.Fields{}
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, v ...any) { where, args = append(where, cond), append(args, v...) }
	if f.Type != "" {
		if !f.Type.valid() {
			bad.Add("type", "must be implementation or custom_development")
		}
		add("p.type = ?", string(f.Type))
	}
	switch {
	case f.Status == "presale":
		add("p.delivery = ''")
	case f.Status != "":
		if !slices.Contains(DeliveryStatuses, f.Status) {
			bad.Add("status", "must be one of presale, active, on_hold, done, cancelled")
		}
		add("p.delivery = ?", string(f.Status))
	}
	if f.StageID != 0 {
		add("p.stage_id = ?", f.StageID)
	}
	if f.AccountID != 0 {
		add("p.account_id = ?", f.AccountID)
	}
	if f.Owner != "" && f.OwnerID == 0 {
		id, ok, err := userByEmail(ctx, s.db.R, a, f.Owner)
		if err != nil {
			return Page{}, err
		}
		if !ok {
			bad.Add("owner", "must be me or an active user's email")
		}
		f.OwnerID = id
	}
	if f.OwnerID != 0 {
		add("p.owner_id = ?", f.OwnerID)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if len(q) > 200 {
			bad.Add("q", "must be at most 200 characters")
		}
		add("(lower(p.title) LIKE ? OR lower(COALESCE(ac.name, '')) LIKE ?)", "%"+strings.ToLower(q)+"%", "%"+strings.ToLower(q)+"%")
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 1 || f.Limit > 500 {
		bad.Add("limit", "must be from 1 to 500")
	}
	if f.Cursor != "" {
		after, ok := decodeCursor(f.Cursor)
		if !ok {
			bad.Add("cursor", "is not a cursor this list gave")
		}
		add("p.id < ?", after)
	}
	if err := bad.Err(); err != nil {
		return Page{}, err
	}
	if !a.SeesAllLeads() {
		add(seenBy, seenByArgs(a)...)
	}
	rows, err := s.db.R.Query(ctx, `SELECT `+columns+from+` WHERE `+strings.Join(where, " AND ")+` ORDER BY p.id DESC LIMIT ?`,
		append(args, f.Limit+1)...)
	if err != nil {
		return Page{}, fmt.Errorf("project: list: %w", err)
	}
	defer rows.Close()
	var out Page
	for rows.Next() {
		p, err := scan(rows)
		if err != nil {
			return out, err
		}
		out.Data = append(out.Data, p)
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	if len(out.Data) > f.Limit {
		out.Data = out.Data[:f.Limit]
		out.Next = encodeCursor(out.Data[f.Limit-1].ID)
	}
	return out, nil
}

func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("p" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != 'p' {
		return 0, false
	}
	id, err := strconv.ParseInt(string(b[1:]), 10, 64)
	return id, err == nil && id > 0
}

// Column is one stage of the board with its projects.
type Column struct {
	Stage    Stage
	Projects []Project
}

// Board returns type t's active and on-hold projects that a may see, by
// stage in order.
func (s *Service) Board(ctx context.Context, a access.Actor, t Type) ([]Column, error) {
	stages, err := s.Stages(ctx, t)
	if err != nil {
		return nil, err
	}
	cols := make([]Column, len(stages))
	at := map[int64]int{}
	for i, st := range stages {
		cols[i].Stage, at[st.ID] = st, i
	}
	for _, status := range []DeliveryStatus{Active, OnHold} {
		f := Filter{Type: t, Status: status, Limit: 500}
		for {
			page, err := s.List(ctx, a, f)
			if err != nil {
				return nil, err
			}
			for _, p := range page.Data {
				if i, ok := at[p.StageID]; ok {
					cols[i].Projects = append(cols[i].Projects, p)
				}
			}
			if page.Next == "" {
				break
			}
			f.Cursor = page.Next
		}
	}
	return cols, nil
}
