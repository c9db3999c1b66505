package crm_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// names sort wrongly or inconsistently when folded to lower case in SQL
// alone; repeats and (where allowed) empty names share a sort value.
var names = []string{"Élodie", "Émile", "Östlund", "Ømann", "Zoë", "ßtraße", "van Dijk", "Van Dijk", "Smith", "Smith",
	"adams", "Zeta", "emile"}

// walkList pages through a list one item a page following Next, then
// back to the first page following Prev, and checks both ways saw the
// same items in the same order, the order of one page of them all. It
// returns the ids seen going forwards. between runs after each of the
// first pages read forwards.
func walkList[T any](t *testing.T, sort string, list func(crm.ListOptions) (crm.Page[T], error), id func(T) int64,
	between func(page int)) []int64 {
	t.Helper()
	read := func(o crm.ListOptions) crm.Page[T] {
		t.Helper()
		p, err := list(o)
		if err != nil {
			t.Fatalf("sort %s: %v", sort, err)
		}
		return p
	}
	var forwards []int64
	o := crm.ListOptions{Sort: sort, Limit: 1}
	var p crm.Page[T]
	for page := 0; ; page++ {
		if page > 200 {
			t.Fatalf("sort %s: the cursor never ends", sort)
		}
		p = read(o)
		for _, it := range p.Items {
			forwards = append(forwards, id(it))
		}
		if p.Next == "" {
			break
		}
		if between != nil {
			between(page)
		}
		o.Cursor = p.Next
	}
	if between != nil {
		return forwards
	}
	backwards := []int64{id(p.Items[0])}
	for p.Prev != "" {
		p = read(crm.ListOptions{Sort: sort, Limit: 1, Cursor: p.Prev})
		for _, it := range p.Items {
			backwards = append(backwards, id(it))
		}
		if len(backwards) > len(forwards) {
			break
		}
	}
	slices.Reverse(backwards)
	if !slices.Equal(forwards, backwards) {
		t.Errorf("sort %s: forwards %v, backwards %v", sort, forwards, backwards)
	}
	var whole []int64
	for _, it := range read(crm.ListOptions{Sort: sort, Limit: 500}).Items {
		whole = append(whole, id(it))
	}
	if !slices.Equal(forwards, whole) {
		t.Errorf("sort %s: one a page %v, in one page %v", sort, forwards, whole)
	}
	return forwards
}

// once checks that every id in want was seen exactly once.
func once(t *testing.T, what string, seen, want []int64) {
	t.Helper()
	count := map[int64]int{}
	for _, id := range seen {
		count[id]++
	}
	for _, id := range want {
		if count[id] != 1 {
			t.Errorf("%s: %d seen %d times", what, id, count[id])
		}
	}
	for id, n := range count {
		if n > 1 {
			t.Errorf("%s: %d seen %d times", what, id, n)
		}
	}
}

func TestCRMListsPageThroughEveryRowOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads, svc, tm := setup(t, db)
		base, err := svc.CreateAccount(ctx, tm.admin, crm.AccountInput{Name: "Base"})
		if err != nil {
			t.Fatal(err)
		}
		accounts := []int64{base.ID}
		var contacts, deals []int64
		for i, name := range names {
			acc, err := svc.CreateAccount(ctx, tm.admin, crm.AccountInput{Name: name, Industry: name})
			if err != nil {
				t.Fatal(err)
			}
			accounts = append(accounts, acc.ID)
			amount := strconv.Itoa(i % 4 * 1000) // repeats, and 0
			if i%5 == 0 {
				amount = "" // unknown
			}
			o, err := svc.CreateOpportunity(ctx, tm.ann, crm.OpportunityInput{AccountID: base.ID, Name: name, Amount: amount, Currency: "EUR"})
			if err != nil {
				t.Fatal(err)
			}
			deals = append(deals, o.ID)
		}
		for i, name := range append(slices.Clone(names), "", "") {
			l := sqlLead(t, leads, tm, lead.Changes{"email": fmt.Sprintf("c%d@example.com", i), "last_name": name, "first_name": "Ann"})
			res, err := svc.Convert(ctx, tm.ann, l.ID, crm.ConvertInput{AccountID: base.ID})
			if err != nil {
				t.Fatal(err)
			}
			contacts = append(contacts, res.ContactID)
		}

		for _, sort := range []string{"name", "-name", "industry", "-created_at", "country"} {
			seen := walkList(t, sort, func(o crm.ListOptions) (crm.Page[crm.Account], error) { return svc.Accounts(ctx, tm.admin, o) },
				func(a crm.Account) int64 { return a.ID }, nil)
			once(t, "accounts by "+sort, seen, accounts)
		}
		for _, sort := range []string{"name", "-name", "account", "-email", "stage"} {
			seen := walkList(t, sort, func(o crm.ListOptions) (crm.Page[crm.Contact], error) { return svc.Contacts(ctx, tm.admin, o) },
				func(c crm.Contact) int64 { return c.ID }, nil)
			once(t, "contacts by "+sort, seen, contacts)
		}
		for _, sort := range []string{"name", "-name", "amount", "-amount", "-updated_at", "close_date"} {
			seen := walkList(t, sort, func(o crm.ListOptions) (crm.Page[crm.Opportunity], error) {
				return svc.Opportunities(ctx, tm.admin, o)
			}, func(o crm.Opportunity) int64 { return o.ID }, nil)
			once(t, "opportunities by "+sort, seen, deals)
		}

		// The natural order, the same on both databases; a contact with
		// no last name sorts by its first name (here Ann, after Adams).
		var got []string
		p, _ := svc.Contacts(ctx, tm.admin, crm.ListOptions{Sort: "name", Limit: 100})
		for _, c := range p.Items {
			got = append(got, c.LastName)
		}
		want := []string{"adams", "", "", "Élodie", "emile", "Émile", "Östlund", "Smith", "Smith", "ßtraße", "Van Dijk",
			"van Dijk", "Zeta", "Zoë", "Ømann"}
		if !slices.Equal(got, want) {
			t.Errorf("contacts by name\n got %q\nwant %q", got, want)
		}
	})
}

func TestCRMListsPageWhileRowsArrive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		_, svc, tm := setup(t, db)
		base, err := svc.CreateAccount(ctx, tm.admin, crm.AccountInput{Name: "Base"})
		if err != nil {
			t.Fatal(err)
		}
		accounts, deals := []int64{base.ID}, []int64{}
		for i, name := range names {
			acc, err := svc.CreateAccount(ctx, tm.admin, crm.AccountInput{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			accounts = append(accounts, acc.ID)
			o, err := svc.CreateOpportunity(ctx, tm.ann, crm.OpportunityInput{AccountID: base.ID, Name: name,
				Amount: strconv.Itoa(i % 3 * 500), Currency: "EUR"})
			if err != nil {
				t.Fatal(err)
			}
			deals = append(deals, o.ID)
		}
		n := 0
		arrive := func(page int) {
			if page >= 5 {
				return
			}
			for _, name := range []string{"Aaron", "Émile", "Mann", "Østby", "zz"} {
				n++
				if _, err := svc.CreateAccount(ctx, tm.admin, crm.AccountInput{Name: name}); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.CreateOpportunity(ctx, tm.ann, crm.OpportunityInput{AccountID: base.ID, Name: name,
					Amount: strconv.Itoa(n * 250 % 1500), Currency: "EUR"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, sort := range []string{"name", "-name"} {
			seen := walkList(t, sort, func(o crm.ListOptions) (crm.Page[crm.Account], error) { return svc.Accounts(ctx, tm.admin, o) },
				func(a crm.Account) int64 { return a.ID }, arrive)
			once(t, "accounts by "+sort, seen, accounts)
		}
		for _, sort := range []string{"name", "-name", "amount", "-amount"} {
			seen := walkList(t, sort, func(o crm.ListOptions) (crm.Page[crm.Opportunity], error) {
				return svc.Opportunities(ctx, tm.admin, o)
			}, func(o crm.Opportunity) int64 { return o.ID }, arrive)
			once(t, "opportunities by "+sort, seen, deals)
		}
	})
}
