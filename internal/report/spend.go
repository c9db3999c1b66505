package report

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Spend is what was spent on a channel in a month.
type Spend struct {
	Source   string `json:"source"`
	Month    string `json:"month"` // YYYY-MM
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// SpendInput is a spend as typed: the amount as text.
type SpendInput struct {
	Source   string `json:"source"`
	Month    string `json:"month"`
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// parse checks the input and names each field it refuses.
func (in SpendInput) parse() (Spend, error) {
	sp := Spend{Source: strings.TrimSpace(in.Source), Month: strings.TrimSpace(in.Month),
		Currency: strings.ToUpper(strings.TrimSpace(in.Currency))}
	bad := fault.Fields{}
	if sp.Source == "" || len(sp.Source) > 100 {
		bad.Add("source", "give the channel, as leads' source names it (1 to 100 characters)")
	}
	if _, err := time.Parse("2006-01", sp.Month); err != nil {
		bad.Add("month", "must be a month as YYYY-MM")
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(in.Amount), ",", ""), 10, 64)
	if err != nil || n < 0 {
		bad.Add("amount", "must be a whole amount, 0 or more")
	}
	sp.Amount = n
	if len(sp.Currency) != 3 || strings.Trim(sp.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		bad.Add("currency", "must be a three-letter code such as EUR")
	}
	return sp, bad.Err()
}

// SetSpend records a channel's spend for a month, replacing what was
// recorded for that channel, month and currency. An amount of 0 removes it.
func (s *Service) SetSpend(ctx context.Context, a access.Actor, in SpendInput) (Spend, error) {
	if !a.ManagesMarketing() {
		return Spend{}, fault.Errorf(fault.Forbidden, "only admin and marketing record channel spend")
	}
	sp, err := in.parse()
	if err != nil {
		return sp, err
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM channel_spend WHERE source = ? AND month = ? AND currency = ?`, sp.Source, sp.Month, sp.Currency); err != nil {
			return err
		}
		if sp.Amount != 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO channel_spend (source, month, amount, currency, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				sp.Source, sp.Month, sp.Amount, sp.Currency, a.ID, s.now().UnixMilli()); err != nil {
				return err
			}
		}
		// A channel, a month and money: no one's personal data.
		return audit.Record(ctx, tx, a, "spend.set", "channel_spend", 0, sp)
	})
	if err != nil {
		return sp, fmt.Errorf("report: set spend: %w", err)
	}
	return sp, nil
}

// Spends lists the recorded spend, latest month first.
func (s *Service) Spends(ctx context.Context) ([]Spend, error) {
	rows, err := s.db.R.Query(ctx, `SELECT source, month, amount, currency FROM channel_spend ORDER BY month DESC, source, currency`)
	if err != nil {
		return nil, fmt.Errorf("report: spends: %w", err)
	}
	defer rows.Close()
	var out []Spend
	for rows.Next() {
		var sp Spend
		if err := rows.Scan(&sp.Source, &sp.Month, &sp.Amount, &sp.Currency); err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, rows.Err()
}

// spend sums each channel's spend over p by currency. A month only partly
// in the period counts for its days in it: March's 3,100 is 100 a day.
func (s *Service) spend(ctx context.Context, p Period) (map[moneyKey]int64, error) {
	rows, err := s.db.R.Query(ctx, `SELECT source, month, amount, currency FROM channel_spend WHERE month >= ? AND month <= ?`,
		p.From.Format("2006-01"), p.LastDay().Format("2006-01"))
	if err != nil {
		return nil, fmt.Errorf("report: spend: %w", err)
	}
	defer rows.Close()
	out := map[moneyKey]int64{}
	for rows.Next() {
		var sp Spend
		if err := rows.Scan(&sp.Source, &sp.Month, &sp.Amount, &sp.Currency); err != nil {
			return nil, err
		}
		start, err := time.Parse("2006-01", sp.Month)
		if err != nil {
			continue // only parse() writes months, so this is not reached
		}
		end := start.AddDate(0, 1, 0)
		overlap := earlier(end, p.To).Sub(later(start, p.From))
		share := overlap.Hours() / end.Sub(start).Hours()
		out[moneyKey{sp.Source, sp.Currency}] += int64(float64(sp.Amount)*share + 0.5)
	}
	return out, rows.Err()
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
