// Package demo fills an empty database with a realistic sales team and
// a few hundred leads, deterministic from a seed, so a new user sees a
// living system at once.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	act "leadflow/internal/activity"
	"leadflow/internal/brief"
	"leadflow/internal/calendar"
	solutions "leadflow/internal/catalog"
	"leadflow/internal/crm"
	"leadflow/internal/fault"
	"leadflow/internal/forms"
	"leadflow/internal/invoice"
	"leadflow/internal/lead"
	"leadflow/internal/nurture"
	"leadflow/internal/phone"
	"leadflow/internal/product"
	"leadflow/internal/project"
	"leadflow/internal/report"
	"leadflow/internal/salesteam"
	"leadflow/internal/segment"
	"leadflow/internal/user"
)

// Team is the demo's users, all with one password.
var Team = []user.Input{
	{Email: "admin@leadflow.test", Name: "Alex Admin", Role: access.Admin},
	{Email: "maria.marketing@leadflow.test", Name: "Maria Rossi", Role: access.Marketing},
	{Email: "sam.sales@leadflow.test", Name: "Sam Okafor", Role: access.Sales},
	{Email: "ines.sales@leadflow.test", Name: "Inès Laurent", Role: access.Sales},
	{Email: "lars.sales@leadflow.test", Name: "Lars Nilsen", Role: access.Sales},
}

var (
	firstNames = strings.Fields(`Anna Marco Sofia Lukas Emma Noah Olivia Liam Mia Elias Ioana Andrei Giulia Matteo
		Ingrid Henrik Chloé Hugo Lucía Mateo Priya Arjun Yuki Haruto Amara Kwame Fatima Omar Hannah Jonas Zoe Ethan
		Ava Mason Isla Oscar Freya Leo Nora Felix Elena Pablo Sara Daniel Maja Viktor Alice Tom Julia David`)
	lastNames = strings.Fields(`Popescu Rossi Müller Schmidt Dubois Martin García López Hansen Johansen Smith Johnson
		Brown Williams Jones Taylor Nowak Kowalski Novák Horváth Ionescu Bianchi Romano Fischer Weber Moreau Bernard
		Fernández Olsen Larsen Patel Sharma Tanaka Suzuki Mensah Okoye Haddad Cohen Murphy Kelly Silva Santos Costa`)
	// Titles fit the company: a large one has directors and heads of,
	// a small one founders and office managers; a free-mail address with
	// no company is a consultant, a freelancer or a student.
	largeTitles = []string{"CTO", "CFO", "Head of Sales", "VP Marketing", "Marketing Director", "IT Director", "Head of IT",
		"Procurement Manager", "Finance Manager", "Operations Manager", "Product Manager", "Software Engineer"}
	smallTitles = []string{"Founder", "CEO", "Office Manager", "Sales Representative", "Consultant", "Operations Manager"}
	freeTitles  = []string{"Consultant", "Freelancer", "Student", "Founder"}
	industries  = []string{"Software", "Manufacturing", "Retail", "Healthcare", "Financial Services", "Education",
		"Logistics", "Hospitality", "Construction", "Energy", "Telecommunications", "Public Sector", "Agriculture"}
	companyWords = []string{"Nordic", "Apex", "Blue", "Delta", "Vertex", "Carpathia", "Alpine", "Harbor", "Quantum",
		"Solaris", "Metro", "Pioneer", "Atlas", "Orbit", "Cedar", "Iron", "Summit", "Lumen", "Terra", "Nova"}
	companyKinds = []string{"Systems", "Logistics", "Foods", "Health", "Bank", "Works", "Labs", "Retail", "Energy",
		"Build", "Software", "Telecom", "Farms", "Analytics", "Group"}
	countries = []struct{ code, city string }{
		{"RO", "Bucharest"}, {"RO", "Cluj-Napoca"}, {"IT", "Milan"}, {"IT", "Rome"}, {"NO", "Oslo"}, {"DE", "Berlin"},
		{"DE", "Munich"}, {"FR", "Lyon"}, {"FR", "Paris"}, {"ES", "Madrid"}, {"GB", "London"}, {"GB", "Manchester"},
		{"US", "Austin"}, {"US", "Boston"}, {"US", "Chicago"}, {"NL", "Utrecht"}, {"SE", "Stockholm"}, {"PL", "Kraków"},
		{"IN", "Bengaluru"}, {"BR", "São Paulo"}, {"CA", "Toronto"}, {"JP", "Osaka"},
	}
	sources = []struct {
		source, utmSource, utmMedium string
		weight                       int
	}{
		{"web", "google", "organic", 20}, {"paid_search", "google", "cpc", 14}, {"paid_social", "linkedin", "paid_social", 10},
		{"form", "newsletter", "email", 10}, {"referral", "partner", "referral", 8}, {"event", "webinar", "event", 8},
		{"api", "", "", 5}, {"import", "", "", 10}, {"social", "twitter", "social", 6}, {"email", "mailchimp", "email", 9},
	}
	campaigns = []string{"spring-launch", "crm-webinar-q2", "pricing-retargeting", "ebook-lead-scoring", "partner-week", "black-friday"}
	freeMail  = []string{"gmail.com", "yahoo.com", "outlook.com", "hotmail.com"}
	sizes     = []int64{3, 8, 15, 40, 75, 120, 250, 500, 1200, 5000, 20000}
)

// stageMix says how many leads of each hundred are in each stage.
var stageMix = []struct {
	stage lead.Stage
	share int
}{
	{lead.Subscriber, 18}, {lead.StageLead, 30}, {lead.MQL, 16}, {lead.SQL, 10},
	{lead.Opportunity, 7}, {lead.Customer, 5}, {lead.Nurturing, 9}, {lead.Disqualified, 5},
}

// Services are what the demo data is made through.
type Services struct {
	Users *user.Service
	Leads *lead.Service
	Forms *forms.Service
	CRM   *crm.Service
	// Reports records the demo channels' spend; nil leaves it out.
	Reports *report.Service
	// Activities and Calendar plan the sales team's days; nil leaves
	// them out.
	Activities *act.Service
	Calendar   *calendar.Store
	// Products makes the catalog and prices the open deals; nil leaves
	// them out.
	Products *product.Service
	// Segments saves the demo segments; nil leaves them out.
	Segments *segment.Service
	// Nurture gets the demo's templates and sequence; nil leaves them out.
	Nurture *nurture.Service
	// Catalog gets the demo's solution catalog; nil leaves it out.
	Catalog *solutions.Service
	// Briefs gets software requests on a few leads; nil leaves them out.
	Briefs *brief.Service
	// Invoices bills the won deals; nil leaves them out.
	Invoices *invoice.Service
	// Projects opens the won deals' delivery projects; nil leaves them out.
	Projects *project.Service
	// Teams gets an SDR and an AE team and their hand-overs; nil leaves
	// them out.
	Teams *salesteam.Service
}

// Seed creates the demo team with password and n leads created over the
// 180 days before now, with assignment rules, accounts and a deal board
// made by converting the leads in the opportunity stage. It is
// deterministic for a given seed.
func Seed(ctx context.Context, svc Services, password string, n int, seed uint64, now time.Time) error {
	users, leads, fs := svc.Users, svc.Leads, svc.Forms
	var sales []user.User
	var admin, marketing access.Actor
	for _, in := range Team {
		in.Password = password
		u, err := users.Create(ctx, access.System, in)
		if err != nil {
			return fmt.Errorf("demo: create %s: %w", in.Email, err)
		}
		if u.Role == access.Sales {
			sales = append(sales, u)
		}
		if u.Role == access.Admin {
			admin = u.Actor()
		}
		if u.Role == access.Marketing {
			marketing = u.Actor()
		}
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	used := map[string]bool{}
	// Customers get there the way real ones do: their lead is converted
	// and the deal won, below.
	wins := map[int64]bool{}
	for i := 0; i < n; i++ {
		l := fake(rng, now, sales)
		won := l.Stage == lead.Customer && l.Company != ""
		if won {
			l.Stage = lead.Opportunity
		}
		for used[strings.ToLower(l.Email)] {
			l.Email = fmt.Sprintf("%s.%d@%s", strings.Split(l.Email, "@")[0], rng.IntN(100), strings.Split(l.Email, "@")[1])
		}
		used[strings.ToLower(l.Email)] = true
		stored, err := leads.Insert(ctx, l, "demo data")
		if err != nil {
			return fmt.Errorf("demo: lead %d: %w", i, err)
		}
		wins[stored.ID] = won
		if evs := activity(rng, stored, now); len(evs) > 0 {
			if _, err := leads.RecordEvents(ctx, access.Actor{Role: access.Admin}, evs); err != nil {
				return fmt.Errorf("demo: events of lead %d: %w", i, err)
			}
		}
	}
	if err := seedDuplicates(ctx, leads, now); err != nil {
		return err
	}
	if err := seedForms(ctx, fs); err != nil {
		return err
	}
	// Leads without activity still score for who they are.
	if _, err := leads.RescoreAll(ctx, "demo data", nil); err != nil {
		return err
	}
	if err := ownPromoted(ctx, leads, rng, sales); err != nil {
		return err
	}
	if err := seedPipeline(ctx, svc, rng, wins, sales, now); err != nil {
		return err
	}
	if err := seedProducts(ctx, svc, rng); err != nil {
		return err
	}
	if err := seedInvoices(ctx, svc, rng, now); err != nil {
		return err
	}
	if err := seedProjects(ctx, svc, rng, now); err != nil {
		return err
	}
	if err := seedActivities(ctx, svc, rng, sales, now); err != nil {
		return err
	}
	if err := seedSpend(ctx, svc.Reports, admin, now); err != nil {
		return err
	}
	if err := seedSegments(ctx, svc.Segments, marketing); err != nil {
		return err
	}
	if err := seedNurture(ctx, svc.Nurture, leads, admin); err != nil {
		return err
	}
	if err := seedTeams(ctx, svc, sales, now); err != nil {
		return err
	}
	return seedMatching(ctx, svc)
}

// monthlySpend is what the demo company pays its paid channels a month.
var monthlySpend = map[string]int64{"paid_search": 4000, "paid_social": 3000, "event": 2500, "referral": 1000, "email": 400}

// seedSpend records the paid channels' spend for the months the demo
// leads span, so the reports show cost per lead and ROI.
func seedSpend(ctx context.Context, reports *report.Service, admin access.Actor, now time.Time) error {
	if reports == nil {
		return nil
	}
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for m := 0; m <= 6; m++ {
		month := first.AddDate(0, -m, 0).Format("2006-01")
		for source, amount := range monthlySpend {
			in := report.SpendInput{Source: source, Month: month, Amount: strconv.FormatInt(amount, 10), Currency: "EUR"}
			if _, err := reports.SetSpend(ctx, admin, in); err != nil {
				return fmt.Errorf("demo: spend: %w", err)
			}
		}
	}
	return nil
}

// stageRank says how far down the funnel a stage is, for how active a
// demo lead was.
var stageRank = map[lead.Stage]int{lead.Subscriber: 0, lead.StageLead: 1, lead.Nurturing: 1, lead.Disqualified: 0,
	lead.MQL: 2, lead.SQL: 3, lead.Opportunity: 4, lead.Customer: 3}

// activity makes what a demo lead did since it arrived: more, and more
// telling, the further down the funnel it is. The scoring rules turn it
// into the lead's score.
func activity(rng *rand.Rand, l lead.Lead, now time.Time) []lead.EventInput {
	rank := stageRank[l.Stage]
	site := "https://www." + strings.ToLower(strings.ReplaceAll(pick(rng, companyWords), " ", "")) + "crm.example"
	var evs []lead.EventInput
	add := func(n int, typ, url string) {
		for i := 0; i < n; i++ {
			age := time.Duration(rng.Int64N(int64(now.Sub(l.CreatedAt)) + 1))
			evs = append(evs, lead.EventInput{LeadID: l.ID, Type: typ, URL: url, OccurredAt: now.Add(-age), Source: "demo"})
		}
	}
	// From MQL on, a lead was recently busy: the visits, the pricing
	// page and a download that made it an MQL, within the last weeks, so
	// its score fits its stage.
	if rank >= 2 {
		recent := func(n int, typ, url string) {
			for i := 0; i < n; i++ {
				age := time.Duration(rng.Int64N(int64(21 * 24 * time.Hour)))
				if at := now.Add(-age); at.After(l.CreatedAt) {
					evs = append(evs, lead.EventInput{LeadID: l.ID, Type: typ, URL: url, OccurredAt: at, Source: "demo"})
				}
			}
		}
		recent(3+rng.IntN(4), "page_view", site+"/features")
		recent(2, "pricing_page_view", site+"/pricing")
		recent(1, "ebook_download", site+"/ebook/lead-scoring")
		recent(1+rng.IntN(3), "email_click", "")
	}
	add(rng.IntN(4+rank*4), "page_view", site+"/features")
	add(rng.IntN(1+rank*2), "pricing_page_view", site+"/pricing")
	add(rng.IntN(2+rank), "email_open", "")
	add(rng.IntN(1+rank), "email_click", "")
	if rng.IntN(4) < rank+1 {
		add(1, "ebook_download", site+"/ebook/lead-scoring")
	}
	if rank >= 3 && rng.IntN(2) == 0 {
		add(1, "quote_request", site+"/quote")
	}
	if rank >= 3 && rng.IntN(3) == 0 {
		add(1, "meeting_booked", "")
	}
	if l.Source == "form" || l.Source == "email" {
		add(1, "newsletter_subscribe", site+"/newsletter")
	}
	return evs
}

// seedDuplicates adds two people who came in twice under other emails,
// so the duplicates review has something to show.
func seedDuplicates(ctx context.Context, leads *lead.Service, now time.Time) error {
	at := now.Add(-72 * time.Hour).UTC().Truncate(time.Millisecond)
	for _, l := range []lead.Lead{
		{Email: "jonas.weber@cedarlogistics.example", FirstName: "Jonas", LastName: "Weber", Company: "Cedar Logistics", Country: "DE", Phone: "+4915123456789", Stage: lead.StageLead},
		{Email: "jonas.weber77@gmail.com", FirstName: "Jonas", LastName: "Weber", Company: "Cedar Logistics", JobTitle: "Head of IT", Stage: lead.StageLead},
		{Email: "ioana.ionescu@carpathiasoftware.example", FirstName: "Ioana", LastName: "Ionescu", Company: "Carpathia Software", Country: "RO", Phone: "+40721234567", Stage: lead.StageLead},
		{Email: "ioana@carpathia.example", FirstName: "Ioana", LastName: "I.", Company: "Carpathia", Country: "RO", Phone: "+40721234567", Stage: lead.Subscriber},
	} {
		l.CreatedAt, l.UpdatedAt = at, at
		if _, err := leads.Insert(ctx, l, "demo data"); err != nil {
			return fmt.Errorf("demo: duplicate %s: %w", l.Email, err)
		}
	}
	return nil
}

// seedForms builds a demo-request form with a landing page, and a few
// submissions: accepted ones, and two a person has to review.
func seedForms(ctx context.Context, fs *forms.Service) error {
	f, err := fs.Create(ctx, access.System, forms.Form{
		Slug: "request-demo", Name: "Request a demo", Source: "web", Campaign: "evergreen-demo",
		ConsentText: "Send me product news and event invitations. I can unsubscribe at any time.",
		ThankYou:    "Thank you! A product specialist will contact you within one business day.",
		Fields: []forms.Field{{Name: lead.FEmail}, {Name: lead.FFirstName, Required: true}, {Name: lead.FLastName},
			{Name: lead.FCompany, Required: true}, {Name: lead.FEmployees}, {Name: lead.FCountry}, {Name: lead.FPhone},
			{Name: "use_case", Label: "What should the CRM do for you?", Type: "select", Options: []string{"Lead scoring", "Sales pipeline", "Marketing automation", "Reporting"}},
			{Name: "timeline", Label: "When do you plan to buy?", Type: "date"}},
	})
	if err != nil {
		return fmt.Errorf("demo: form: %w", err)
	}
	if _, err := fs.SaveLanding(ctx, access.System, forms.Landing{FormID: f.ID, Slug: "crm-demo", Template: "split",
		Headline: "See leadflow score and route your leads in 20 minutes",
		Body:     "Book a live demo with a product specialist. We will import a sample of your leads, score them with your own rules and show you which channels pay.\n\nNo slides, no obligation."}); err != nil {
		return fmt.Errorf("demo: landing page: %w", err)
	}
	meta := forms.Meta{UTMSource: "linkedin", UTMMedium: "paid_social", UTMCampaign: "spring-launch", PageURL: "/p/crm-demo"}
	for _, v := range []map[string]string{
		{"email": "helena.sorensen@fjordfoods.example", "first_name": "Helena", "last_name": "Sørensen", "company": "Fjord Foods", "employees": "180", "country": "NO", "use_case": "Lead scoring", "consent": "true"},
		{"email": "marco.bianchi@atlasworks.example", "first_name": "Marco", "company": "Atlas Works", "country": "IT", "phone": "02 1234 5678", "use_case": "Sales pipeline"},
		{"email": "peter(at)summitbank.example", "first_name": "Peter", "company": "Summit Bank", "use_case": "Reporting"},
		{"email": "lucia@lumenretail.example", "first_name": "Lucía", "company": "", "employees": "-40", "use_case": "CRM"},
	} {
		if _, err := fs.Submit(ctx, f, v, meta); err != nil && fault.CodeOf(err) != fault.Invalid {
			return fmt.Errorf("demo: submission: %w", err)
		}
	}
	return nil
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// titleFor is a job title that fits a company of size.
func titleFor(rng *rand.Rand, size int64) string {
	switch {
	case size >= 200:
		return pick(rng, largeTitles)
	case size < 50:
		return pick(rng, smallTitles)
	case rng.IntN(2) == 0:
		return pick(rng, largeTitles)
	}
	return pick(rng, smallTitles)
}

// fake makes one plausible lead.
func fake(rng *rand.Rand, now time.Time, sales []user.User) lead.Lead {
	first, last := pick(rng, firstNames), pick(rng, lastNames)
	company := pick(rng, companyWords) + " " + pick(rng, companyKinds)
	domain := strings.ToLower(strings.ReplaceAll(company, " ", "")) + ".example"
	place := pick(rng, countries)
	size := pick(rng, sizes)
	created := now.Add(-time.Duration(rng.Int64N(int64(180 * 24 * time.Hour)))).UTC().Truncate(time.Millisecond)
	l := lead.Lead{
		FirstName: first, LastName: last, Company: company, JobTitle: titleFor(rng, size),
		Employees: &size, Industry: pick(rng, industries), Country: place.code, City: place.city,
		Website: "https://www." + domain, CreatedAt: created,
		UpdatedAt: created.Add(time.Duration(rng.Int64N(int64(now.Sub(created)) + 1))),
	}
	l.Email = asciiLocal(first) + "." + asciiLocal(last) + "@" + domain
	if rng.IntN(8) == 0 {
		l.Email = asciiLocal(first) + asciiLocal(last) + fmt.Sprint(rng.IntN(90)+10) + "@" + pick(rng, freeMail)
		l.Website, l.Employees, l.JobTitle = "", nil, pick(rng, freeTitles)
	}
	if rng.IntN(3) > 0 {
		l.Phone = phone.Example(place.code, rng.IntN(1000))
	}
	setSource(rng, &l)
	setStage(rng, &l, sales)
	setContact(rng, &l, now)
	if l.Consent = rng.IntN(10) < 7; l.Consent {
		at := created
		l.ConsentAt = &at
	}
	l.ExistingCustomer = l.Stage == lead.Customer || rng.IntN(15) == 0
	return l
}

func setSource(rng *rand.Rand, l *lead.Lead) {
	total := 0
	for _, s := range sources {
		total += s.weight
	}
	r := rng.IntN(total)
	for _, s := range sources {
		if r -= s.weight; r < 0 {
			l.Source, l.UTMSource, l.UTMMedium = s.source, s.utmSource, s.utmMedium
			if s.utmSource != "" {
				l.UTMCampaign = pick(rng, campaigns)
			}
			return
		}
	}
}

func setStage(rng *rand.Rand, l *lead.Lead, sales []user.User) {
	r := rng.IntN(100)
	for _, m := range stageMix {
		if r -= m.share; r < 0 {
			l.Stage = m.stage
			break
		}
	}
	// Sales owns what it qualified and most new leads; subscribers and
	// nurtured leads are marketing's, mostly unassigned.
	switch l.Stage {
	case lead.Subscriber, lead.Nurturing:
		if rng.IntN(4) == 0 && len(sales) > 0 {
			l.OwnerID = pick(rng, sales).ID
		}
	case lead.StageLead: // most are being worked
		if rng.IntN(3) > 0 && len(sales) > 0 {
			l.OwnerID = pick(rng, sales).ID
		}
	default:
		if len(sales) > 0 {
			l.OwnerID = pick(rng, sales).ID
		}
	}
}

// ownPromoted gives a salesperson each unowned lead that its score made
// an MQL, as setStage does for the qualified leads it makes: which leads'
// activity crosses the threshold varies from one run to the next.
func ownPromoted(ctx context.Context, leads *lead.Service, rng *rand.Rand, sales []user.User) error {
	if len(sales) == 0 {
		return nil
	}
	admin := access.Actor{Role: access.Admin}
	f, err := lead.ParseFilter(url.Values{"stage": {string(lead.MQL)}, "owner": {"none"}, "limit": {strconv.Itoa(lead.MaxLimit)}})
	if err != nil {
		return err
	}
	// A lead given an owner leaves the filter, so the first page is read
	// until it comes back empty.
	for {
		page, err := leads.List(ctx, admin, f, false)
		if err != nil {
			return fmt.Errorf("demo: unowned MQLs: %w", err)
		}
		if len(page.Leads) == 0 {
			return nil
		}
		for _, l := range page.Leads {
			if _, err := leads.Update(ctx, admin, l.ID, lead.Changes{lead.FOwner: pick(rng, sales).Email}); err != nil {
				return fmt.Errorf("demo: owner of lead %d: %w", l.ID, err)
			}
		}
	}
}

// asciiLocal makes a name usable in an email's local part.
func asciiLocal(s string) string {
	r := strings.NewReplacer("é", "e", "è", "e", "ü", "u", "ö", "o", "á", "a", "ó", "o", "í", "i", "ñ", "n",
		"ã", "a", "ç", "c", "ø", "o", "å", "a", "æ", "ae", "ß", "ss")
	return strings.ToLower(r.Replace(s))
}
