package i18n

import (
	"math/big"
	"regexp"
	"strings"
)

// reasons are the field errors the domain writes most, in English, with
// the message each reads as in the catalogs. The domain and the API keep
// English; a page shows the reason in its reader's language, and any
// reason not listed here in English.
var reasons = []struct {
	re *regexp.Regexp
	id string
	// args names the submatches, in order, as the message's placeholders.
	args []string
}{
	{regexp.MustCompile(`^is required$`), "why.required", nil},
	{regexp.MustCompile(`^is required unless the lead has a phone, or a name with a company, city, address or birth date$`), "why.required_unless", nil},
	{regexp.MustCompile(`^must be at most ([\d,]+) characters$`), "why.at_most_chars", []string{"Count"}},
	{regexp.MustCompile(`^is at most ([\d,]+) characters$`), "why.at_most_chars", []string{"Count"}},
	{regexp.MustCompile(`^must be at least ([\d,]+) characters$`), "why.at_least_chars", []string{"Count"}},
	{regexp.MustCompile(`^must be an email address$`), "why.email", nil},
	{regexp.MustCompile(`^is wrong$`), "why.wrong", nil},
	{regexp.MustCompile(`^must be true or false$`), "why.true_false", nil},
	{regexp.MustCompile(`^must be a date(?: as|,) YYYY-MM-DD$`), "why.date", nil},
	{regexp.MustCompile(`^must be a number$`), "why.number", nil},
	{regexp.MustCompile(`^must be a whole number from ([\d,]+) to ([\d,]+)$`), "why.whole_range", []string{"Min", "Max"}},
	{regexp.MustCompile(`^must be a three-letter currency code such as EUR(?: or USD)?$`), "why.currency", nil},
	{regexp.MustCompile(`^must be a country name or a two-letter ISO code(?: such as RO| such as DE or US)?$`), "why.country", nil},
	{regexp.MustCompile(`^must be one of en, ro, it, nb$`), "why.language", nil},
	{regexp.MustCompile(`^did you mean (\S+)\?$`), "why.did_you_mean", []string{"Address"}},
	{regexp.MustCompile(`^must be on one line$`), "why.one_line", nil},
	{regexp.MustCompile(`^needs an @ between the name and the domain, as in name@example\.com$`), "why.email_needs_at", nil},
	{regexp.MustCompile(`^needs a name before the @$`), "why.email_needs_name", nil},
	{regexp.MustCompile(`^needs a domain after the @, as in name@example\.com$`), "why.email_needs_domain", nil},
	{regexp.MustCompile(`^needs a full domain after the @, with a dot, as in name@example\.com$`), "why.email_needs_full_domain", nil},
	{regexp.MustCompile(`^needs a domain name after the @, not an IP address$`), "why.email_not_ip", nil},
	{regexp.MustCompile(`^needs the country code \(such as \+49\) or a country for the lead$`), "why.phone_country_code", nil},
	{regexp.MustCompile(`^must not be negative$`), "why.not_negative", nil},
	{regexp.MustCompile(`^must not contain a NUL character$`), "why.no_nul", nil},
	{regexp.MustCompile(`^must be empty: this conversion hands nothing over to an account executive \(`), "why.handover_note_unused", nil},
	{regexp.MustCompile(`^must be a closing team$`), "why.closing_team", nil},
	{regexp.MustCompile(`^must be a (?:whole )?number of days from ([\d,]+) to ([\d,]+)$`), "why.days_range", []string{"Min", "Max"}},
	// Leads: the owner, BANT qualification and the lifecycle's moves.
	{regexp.MustCompile(`^no user has this email$`), "why.no_such_user", nil},
	{regexp.MustCompile(`^is required: what problem should the purchase solve\?$`), "why.need_required", nil},
	{regexp.MustCompile(`^must be the expected purchase date \(2027-03-31\) or quarter \(2027-Q1\)$`), "why.timing", nil},
	{regexp.MustCompile(`^say why the lead goes back to nurturing$`), "why.nurturing_reason", nil},
	{regexp.MustCompile(`^sending a lead to nurturing needs a reason$`), "why.nurturing_needs_reason", nil},
	{regexp.MustCompile(`^disqualifying needs a reason: one of (.+)$`), "why.disqualify_needs_reason", []string{"Reasons"}},
	{regexp.MustCompile(`^an MQL becomes an SQL through BANT qualification \(budget, authority, need, timing\)$`), "why.mql_needs_bant", nil},
	{regexp.MustCompile(`^moving from (\w+) to (\w+) skips the lifecycle: give a reason$`), "why.skips_lifecycle", []string{"From", "To"}},
	{regexp.MustCompile(`^a customer stays a customer; only an admin can move it, with a reason$`), "why.customer_stays", nil},
	{regexp.MustCompile(`^cannot move from (\w+) to (\w+) \(allowed: ([\w, ]+); an admin can make other moves with a reason\)$`), "why.cannot_move", []string{"From", "To", "Allowed"}},
	{regexp.MustCompile(`^must be a whole number$`), "why.whole_number", nil},
	{regexp.MustCompile(`^must be a whole percentage from 0 to 100$`), "why.whole_percentage", nil},
	// Projects in delivery: tasks, milestones and time.
	{regexp.MustCompile(`^no active user has this email$`), "why.no_active_user", nil},
	{regexp.MustCompile(`^is required: a date as YYYY-MM-DD$`), "why.required_date", nil},
	{regexp.MustCompile(`^must not be before the start date$`), "why.not_before_start", nil},
	{regexp.MustCompile(`^must be hours worked, more than 0 and at most 24, such as 1\.5$`), "why.hours_worked", nil},
	{regexp.MustCompile(`^only admins log time for others$`), "why.admins_log_for_others", nil},
	{regexp.MustCompile(`^sales users give projects only to themselves$`), "why.sales_own_projects", nil},
	{regexp.MustCompile(`^is required: the account the project is for$`), "why.project_account", nil},
	// Accounts and deals.
	{regexp.MustCompile(`^is required, at most ([\d,]+) characters$`), "why.required_at_most", []string{"Count"}},
	{regexp.MustCompile(`^must be a web address such as example\.com(?: or https://example\.com)?$`), "why.web_address", nil},
	{regexp.MustCompile(`^must be a whole number, 0 or more$`), "why.whole_not_negative", nil},
	{regexp.MustCompile(`^must be a whole amount from ([\d,]+) to ([\d,]+)$`), "why.whole_amount", []string{"Min", "Max"}},
	{regexp.MustCompile(`^sales users open opportunities for themselves$`), "why.sales_own_deals", nil},
	{regexp.MustCompile(`^sales users cannot hand a deal to someone else$`), "why.sales_keep_deals", nil},
	{regexp.MustCompile(`^must be an open pipeline stage: (.+)$`), "why.open_stage", []string{"Stages"}},
	// Invoices.
	{regexp.MustCompile(`^is required on an invoice$`), "why.required_invoice", nil},
	{regexp.MustCompile(`^the buyer's legal name is required on an invoice$`), "why.buyer_legal_name", nil},
	{regexp.MustCompile(`^the buyer's country is required on an invoice$`), "why.buyer_country", nil},
	{regexp.MustCompile(`^must be a country, as a two-letter code such as RO$`), "why.country_code", nil},
	{regexp.MustCompile(`^is not a valid IBAN \(its check digits do not match\)$`), "why.iban", nil},
	{regexp.MustCompile(`^is required: the account the invoice is for$`), "why.invoice_account", nil},
	{regexp.MustCompile(`^must not be 0; a return is a negative quantity$`), "why.quantity_zero", nil},
	{regexp.MustCompile(`^is too large$`), "why.too_large", nil},
	{regexp.MustCompile(`^must be a percentage from 0 to 100$`), "why.percentage", nil},
	{regexp.MustCompile(`^must be an amount above 0 such as (\S+)$`), "why.amount_above_zero", []string{"Example"}},
	{regexp.MustCompile(`^an invoice needs at least one line$`), "why.invoice_needs_line", nil},
	{regexp.MustCompile(`^the seller's VAT ID is required when VAT is charged$`), "why.seller_vat", nil},
	{regexp.MustCompile(`^the buyer's VAT ID is required for reverse charge and intra-community supplies$`), "why.buyer_vat", nil},
	{regexp.MustCompile(`^is more than the (.+) still owed$`), "why.more_than_owed", []string{"Amount"}},
	{regexp.MustCompile(`^must not be in the future$`), "why.not_future", nil},
	// Forms, their answers and imports.
	{regexp.MustCompile(`^must include email: it is how leads are recognised$`), "why.form_needs_email", nil},
	{regexp.MustCompile(`^needs the consent wording: without it the form asks for no consent to confirm$`), "why.consent_wording", nil},
	{regexp.MustCompile(`^must be a full http\(s\) address such as https://example\.com/thanks$`), "why.full_url", nil},
	{regexp.MustCompile(`^must be 1 to 60 lower-case letters, digits and single hyphens, like (\S+)$`), "why.slug", []string{"Example"}},
	{regexp.MustCompile(`^is too long$`), "why.too_long", nil},
	{regexp.MustCompile(`^must be one of the choices offered$`), "why.one_of_choices", nil},
	{regexp.MustCompile(`^map a column to email or phone, or to a name and a company, city, address or birth date$`), "why.import_mapping", nil},
	// Assignment rules and their settings.
	{regexp.MustCompile(`^name at least one user, by email$`), "why.at_least_one_member", nil},
	{regexp.MustCompile(`^no user has the email "(.*)"$`), "why.no_user_with_email", []string{"Email"}},
	{regexp.MustCompile(`^"(.*)" is not a country name or ISO code$`), "why.not_a_country_named", []string{"Value"}},
	{regexp.MustCompile(`^"(.*)" is not a site address such as https://www\.example\.com$`), "why.not_a_site", []string{"Value"}},
	{regexp.MustCompile(`^hand-off \d+ was answered meanwhile; reload it$`), "why.handoff_answered_meanwhile", nil},
	{regexp.MustCompile(`^(.+) is issued and cannot change; correct it with a credit note$`), "why.inv_issued_cannot_change", []string{"Title"}},
	{regexp.MustCompile(`^(.+) is issued and is kept; void it or correct it with a credit note$`), "why.inv_issued_kept", []string{"Title"}},
	{regexp.MustCompile(`^(.+) is issued and is kept; correct it with a credit note$`), "why.inv_issued_kept_paid", []string{"Title"}},
	{regexp.MustCompile(`^(.+) is kept: an issued document is never deleted$`), "why.inv_kept", []string{"Title"}},
	{regexp.MustCompile(`^(.+) is a draft: delete it instead$`), "why.inv_draft_delete", []string{"Title"}},
	{regexp.MustCompile(`^(.+) is already issued$`), "why.inv_already_issued", []string{"Title"}},
	{regexp.MustCompile(`^payments are recorded against an issued invoice with money owed; (.+) is (draft|issued|paid|void)$`), "why.inv_payment_needs_owed", []string{"Title", "InvoiceStatus"}},
	{regexp.MustCompile(`^a credit note corrects an issued invoice; (.+) is (draft|issued|paid|void)$`), "why.inv_credit_needs_issued", []string{"Title", "InvoiceStatus"}},
	{regexp.MustCompile(`^only an issued invoice with nothing paid or credited is voided; correct (.+) with a credit note instead$`), "why.inv_void_only_unpaid", []string{"Title"}},
	{regexp.MustCompile(`^line (\d+) must read like healthcare: language=50, budget=20$`), "why.weights_line", []string{"Line"}},
	{regexp.MustCompile(`^is not a weighted criterion; use one of (.+)$`), "why.not_weighted", []string{"Names"}},
	{regexp.MustCompile(`^must give at least one criterion a weight above 0$`), "why.one_weight_above_zero", nil},
	{regexp.MustCompile(`^an industry's name must not be empty$`), "why.industry_name_empty", nil},
	{regexp.MustCompile(`^line (\d+): write user:<email> = 60 or role:sales = 50$`), "why.rates_line", []string{"Line"}},
	// A solution of the catalog, typed or imported.
	{regexp.MustCompile(`^is required, such as (.+)$`), "why.required_such_as", []string{"Examples"}},
	{regexp.MustCompile(`^must be at most 40 lower-case letters, digits and single separators, such as e-commerce$`), "why.category_key", nil},
	{regexp.MustCompile(`^must be among ([a-z, ]+); (.+) is not$`), "why.must_be_among", []string{"Choices", "Value"}},
	{regexp.MustCompile(`^name at least one of (.+)$`), "why.name_at_least_one", []string{"Names"}},
	{regexp.MustCompile(`^is required: the price of one licence, such as 12\.50$`), "why.licence_price", nil},
	{regexp.MustCompile(`^must be month or year$`), "why.month_or_year", nil},
	{regexp.MustCompile(`^must be an amount such as 1500 or 1500\.50, 0 or more$`), "why.setup_amount", nil},
	{regexp.MustCompile(`^must be a three-letter ISO 4217 code such as EUR$`), "why.iso_currency", nil},
	{regexp.MustCompile(`^must not be below min_licences$`), "why.not_below_min_licences", nil},
	{regexp.MustCompile(`^must list at most (\d+)$`), "why.list_at_most", []string{"Max"}},
	{regexp.MustCompile(`^not in the feature vocabulary: (.+)$`), "why.not_feature", []string{"Names"}},
	// A mailbox leadflow reads.
	{regexp.MustCompile(`^must be a host and port such as imap\.example\.com:993$`), "why.host_port", nil},
	{regexp.MustCompile(`^must end in a port number from 1 to 65535$`), "why.port_number", nil},
	{regexp.MustCompile(`^must be tls, starttls or none$`), "why.tls_security", nil},
	{regexp.MustCompile(`^is required \(an app password is enough\)$`), "why.app_password", nil},
	{regexp.MustCompile(`^enter the password again to use it with another server, user or security$`), "why.password_again", nil},
	// Project settings.
	{regexp.MustCompile(`^must be an amount per hour such as 65 or 72\.50$`), "why.hourly_rate", nil},
	{regexp.MustCompile(`^must be a share of the budget in percent, from 1 to 1000, such as 80$`), "why.warn_share", nil},
	{regexp.MustCompile(`^must be whole days from the start, 0 to 3650$`), "why.offset_days", nil},
	{regexp.MustCompile(`^list at least one stage$`), "why.one_stage", nil},
	{regexp.MustCompile(`^list at least one open stage, one a line$`), "why.one_open_stage", nil},
	{regexp.MustCompile(`^must be task or milestone$`), "why.task_or_milestone", nil},
	{regexp.MustCompile(`^must be implementation or custom_development$`), "why.project_type", nil},
	{regexp.MustCompile(`^must be 1 to 12 letters, digits, - / or _, such as (INV|CN)$`), "why.number_prefix", []string{"Example"}},
	{regexp.MustCompile(`^must differ from the invoice prefix, so numbers never collide$`), "why.prefix_differs", nil},
	{regexp.MustCompile(`^is required, to tell the token from others$`), "why.token_name", nil},
	{regexp.MustCompile(`^must be 7, 30, 90 or 365, or empty for a token that does not expire$`), "why.token_days", nil},
	// A catalog file refused whole.
	{regexp.MustCompile(`^choose a CSV or JSON file$`), "why.choose_csv_or_json", nil},
	{regexp.MustCompile(`^the file must be UTF-8 text$`), "why.file_utf8", nil},
	{regexp.MustCompile(`^the file has no header row: (.*)$`), "why.file_no_header", []string{"Detail"}},
	{regexp.MustCompile(`^the header has no (\w+) column; columns are (.+)$`), "why.file_missing_column", []string{"Column", "Columns"}},
	{regexp.MustCompile(`^the CSV could not be read: (.*)$`), "why.csv_unreadable", []string{"Detail"}},
	{regexp.MustCompile(`^the file must be a JSON array of solutions: (.*)$`), "why.json_not_solutions", []string{"Detail"}},
	{regexp.MustCompile(`^line (\d+): write kind \| days from the start \| name, such as task \| 5 \| Collect requirements$`), "why.template_line", []string{"Line"}},
	{regexp.MustCompile(`^must not be below the minimum$`), "why.not_below_minimum", nil},
	{regexp.MustCompile(`^must be a number of hours from ([\d,]+) to ([\d,]+)$`), "why.hours_range", []string{"Min", "Max"}},
	// Activities, nurturing sequences, landing pages, the audit log's
	// filter and a won deal's project.
	{regexp.MustCompile(`^is required: a date and time$`), "why.required_datetime", nil},
	{regexp.MustCompile(`^must be a date as YYYY-MM-DD for an all-day activity$`), "why.allday_date", nil},
	{regexp.MustCompile(`^needs a time of day too \(YYYY-MM-DDTHH:MM\), or mark the activity all-day$`), "why.needs_time", nil},
	// The API names RFC 3339 too; a page asks for what its field takes.
	{regexp.MustCompile(`^must be a date and time as YYYY-MM-DDTHH:MM, or RFC 3339 with an offset$`), "why.datetime", nil},
	{regexp.MustCompile(`^must be whole minutes from ([\d,]+) to ([\d,]+)$`), "why.minutes_range", []string{"Min", "Max"}},
	{regexp.MustCompile(`^sales users plan activities only for themselves$`), "why.sales_own_activities", nil},
	{regexp.MustCompile(`^must be a stage, such as lead or mql$`), "why.sequence_stage", nil},
	{regexp.MustCompile(`^must name the form$`), "why.name_the_form", nil},
	{regexp.MustCompile(`^must name the segment$`), "why.name_the_segment", nil},
	{regexp.MustCompile(`^an active sequence needs at least one step$`), "why.active_needs_step", nil},
	{regexp.MustCompile(`^must be at most ([\d,]+)$`), "why.at_most_n", []string{"Max"}},
	{regexp.MustCompile(`^must be one of the templates$`), "why.one_of_templates", nil},
	{regexp.MustCompile(`^must wait at least an hour and at most 365 days$`), "why.wait_range", nil},
	{regexp.MustCompile(`^must be 0 to 23$`), "why.hour_of_day", nil},
	{regexp.MustCompile(`^must be a score from -1000 to 1000$`), "why.branch_score", nil},
	{regexp.MustCompile(`^must be another step from ([\d,]+) to ([\d,]+) \((\d+) ends the sequence\)$`), "why.goto_step", []string{"Min", "Max", "End"}},
	{regexp.MustCompile(`^must be opened, clicked or score_above$`), "why.branch_if", nil},
	{regexp.MustCompile(`^must be email, wait, wait_until or branch$`), "why.step_kind", nil},
	{regexp.MustCompile(`^must be an http\(s\) address of an image, or a path on this site$`), "why.image_url", nil},
	{regexp.MustCompile(`^must be a positive whole number$`), "why.positive_whole", nil},
	{regexp.MustCompile(`^must be a date \(2026-11-30\) or an RFC 3339 time$`), "why.date_or_time", nil},
	{regexp.MustCompile(`^must be a number from ([\d,]+) to ([\d,]+)$`), "why.number_range", []string{"Min", "Max"}},
	{regexp.MustCompile(`^the deal is not won$`), "why.deal_not_won", nil},
	// Email addresses and phone numbers in detail, time zones, a lost
	// deal, invoices, products, projects, users, webhooks, templates,
	// segments and scoring.
	{regexp.MustCompile(`^has a character that is not allowed before the @: (.+)$`), "why.email_bad_char", []string{"Char"}},
	{regexp.MustCompile(`^has an empty part in the domain \(two dots, or a dot at an end\)$`), "why.email_empty_part", nil},
	{regexp.MustCompile(`^has a domain part that starts or ends with a hyphen$`), "why.email_hyphen", nil},
	{regexp.MustCompile(`^cannot start or end with a dot, or have two dots in a row, before the @$`), "why.email_dots", nil},
	{regexp.MustCompile(`^must have at most 64 characters before the @$`), "why.email_local_long", nil},
	{regexp.MustCompile(`^has a domain part longer than 63 characters$`), "why.email_label_long", nil},
	{regexp.MustCompile(`^has a domain that ends in a number; a domain ends in letters, as in \.com$`), "why.email_number_tld", nil},
	{regexp.MustCompile(`^has a domain that is not a valid international domain name$`), "why.email_idn", nil},
	{regexp.MustCompile(`^has a domain longer than 253 characters$`), "why.email_domain_long", nil},
	{regexp.MustCompile(`^is not a phone number$`), "why.phone_not", nil},
	{regexp.MustCompile(`^is not a valid phone number$`), "why.phone_invalid", nil},
	{regexp.MustCompile(`^is not a valid phone number in ([A-Z]{2}); add the country code if it is from elsewhere$`), "why.phone_invalid_in", []string{"Region"}},
	{regexp.MustCompile(`^must be a phone number with its country code, such as \+40 721 234 567$`), "why.phone_with_code", nil},
	{regexp.MustCompile(`^must be an IANA time zone name such as Europe/Bucharest or UTC$`), "why.time_zone", nil},
	{regexp.MustCompile(`^is required when a deal is lost$`), "why.lost_needs_reason", nil},
	{regexp.MustCompile(`^was changed meanwhile to nothing \(empty\)$`), "why.emptied_meanwhile", nil},
	{regexp.MustCompile(`^was changed meanwhile to (.*)$`), "why.changed_meanwhile", []string{"Value"}},
	{regexp.MustCompile(`^must be a whole amount, or empty when unknown$`), "why.budget_amount", nil},
	{regexp.MustCompile(`^must be a number such as 12\.5$`), "why.number_example", nil},
	{regexp.MustCompile(`^must be a number such as 12\.5 \(a price is never negative: a return is a negative quantity\)$`), "why.price_number", nil},
	{regexp.MustCompile(`^must be a percentage from 0 to 100, such as 19 or 5\.5$`), "why.vat_rate", nil},
	{regexp.MustCompile(`^must start with a two-letter country code, such as RO18547290$`), "why.vat_id_country", nil},
	{regexp.MustCompile(`^must be a BIC of 8 or 11 letters and digits$`), "why.bic", nil},
	{regexp.MustCompile(`^the total is negative; a refund is a credit note of an invoice$`), "why.total_negative", nil},
	{regexp.MustCompile(`^must be an amount such as ([\d.,]+)(, with a point before the cents)?$`), "why.amount_example", []string{"Example", "Point"}},
	{regexp.MustCompile(`^must be a percentage with at most two decimals, such as 35 or 12\.5$`), "why.margin_pct", nil},
	{regexp.MustCompile(`^give the unit cost or the margin, not both$`), "why.cost_or_margin", nil},
	{regexp.MustCompile(`^must be a product of the catalog that is on sale$`), "why.product_on_sale", nil},
	{regexp.MustCompile(`^must be a whole amount from 0 to 10\^15$`), "why.whole_amount_15", nil},
	{regexp.MustCompile(`^must be an amount such as 12500 or 12500\.50, 0 or more$`), "why.project_amount", nil},
	{regexp.MustCompile(`^must be person-days from 0 to 10,000, such as ([\d.]+)$`), "why.person_days", []string{"Example"}},
	{regexp.MustCompile(`^must not be below the low estimate$`), "why.not_below_low", nil},
	{regexp.MustCompile(`^must be an amount per person-day such as 480, 0 or more$`), "why.day_rate", nil},
	{regexp.MustCompile(`^(.+) is not an active user$`), "why.not_active_user", []string{"Email"}},
	{regexp.MustCompile(`^is not a task of this project$`), "why.not_a_task", nil},
	{regexp.MustCompile(`^already belongs to a user$`), "why.email_taken", nil},
	{regexp.MustCompile(`^another team has this name$`), "why.team_name_taken", nil},
	{regexp.MustCompile(`^must be an http:// or https:// URL$`), "why.http_url", nil},
	{regexp.MustCompile(`^is a private or loopback address; an admin may allow private addresses for this webhook$`), "why.private_address", nil},
	{regexp.MustCompile(`^choose at least one event$`), "why.choose_event", nil},
	{regexp.MustCompile(`^is required when there is no HTML part$`), "why.text_without_html", nil},
	{regexp.MustCompile(`^give a lowest value, a highest value or both$`), "why.give_min_or_max", nil},
	{regexp.MustCompile(`^must not be below the lowest value$`), "why.not_below_lowest", nil},
	{regexp.MustCompile(`^unknown country "(.*)"$`), "why.unknown_country", []string{"Value"}},
	{regexp.MustCompile(`^must not be above the hot threshold$`), "why.not_above_hot", nil},
	{regexp.MustCompile(`^must be a number of days$`), "why.days_number", nil},
	// A software request and its hand-off.
	{regexp.MustCompile(`^is required: the kind of application, such as (.+)$`), "why.brief_category", []string{"Examples"}},
	{regexp.MustCompile(`^is required: how many people will use it, a whole number from 1 to 1,000,000$`), "why.brief_licences", nil},
	{regexp.MustCompile(`^must be an amount such as 12000 or 950\.50, 0 or more$`), "why.brief_budget", nil},
	{regexp.MustCompile(`^is required with a budget: a three-letter ISO 4217 code such as EUR$`), "why.currency_with_budget", nil},
	{regexp.MustCompile(`^is required with a budget: month, year or once$`), "why.budget_period", nil},
	{regexp.MustCompile(`^must be a whole number of months from 1 to 120$`), "why.horizon_months", nil},
	{regexp.MustCompile(`^must be two-letter ISO 639-1 codes such as en, ro, it, nb; (.+) is not$`), "why.language_codes", []string{"Value"}},
	{regexp.MustCompile(`^each must be at most ([\d,]+) letters and digits with single separators; (.+) is not$`), "why.each_key", []string{"Max", "Value"}},
	{regexp.MustCompile(`^choose at least one of the lead's matches$`), "why.choose_a_match", nil},
	// A form's questions.
	{regexp.MustCompile(`^a select needs at least one option$`), "why.select_needs_option", nil},
	{regexp.MustCompile(`^must be 1 to 40 lower-case letters, digits and underscores, and not a standard field's name$`), "why.custom_field_name", nil},
	{regexp.MustCompile(`^must be one of text, number, select, checkbox, date$`), "why.field_type", nil},
	// A hand-over sent back, a channel's spend, a search.
	{regexp.MustCompile(`^must be one of not_qualified, no_budget, wrong_contact, bad_timing, existing_deal, wrong_territory, other$`), "why.one_of_choices", nil},
	{regexp.MustCompile(`^is required: say why, since the reason is other$`), "why.say_why_other", nil},
	{regexp.MustCompile(`^give the channel, as leads' source names it \(1 to 100 characters\)$`), "why.spend_channel", nil},
	{regexp.MustCompile(`^must be a month as YYYY-MM$`), "why.month", nil},
	{regexp.MustCompile(`^must be a whole amount, 0 or more$`), "why.whole_amount_0", nil},
	{regexp.MustCompile(`^must be 2 to 100 characters$`), "why.search_length", nil},
	// A count's bounds, a list's limit.
	{regexp.MustCompile(`^must be from (-?[\d,]+) to (-?[\d,]+)$`), "why.from_to", []string{"Min", "Max"}},
	{regexp.MustCompile(`^must be between ([\d,]+) and ([\d,]+)$`), "why.between", []string{"Min", "Max"}},
	// What an error page says most: a record not found or another's,
	// and actions kept for some roles.
	{regexp.MustCompile(`^(lead|form|import|project|submission|merge|milestone|landing page) (\d+) not found$`), "why.not_found", []string{"Kind", "ID"}},
	{regexp.MustCompile(`^there is no (account|opportunity|invoice|activity) (\d+)$`), "why.there_is_no", []string{"Kind", "ID"}},
	{regexp.MustCompile(`^(lead|opportunity|contact|deal|activity) (\d+) belongs to another sales user$`), "why.belongs_to_other", []string{"Kind", "ID"}},
	{regexp.MustCompile(`^project (\d+) belongs to other sales users' accounts$`), "why.project_other_accounts", []string{"ID"}},
	{regexp.MustCompile(`^the token "(.*)" is read-only$`), "why.token_read_only", []string{"Name"}},
	{regexp.MustCompile(`^topic "(.*)" cannot be followed$`), "why.topic_unfollowable", []string{"Name"}},
	{regexp.MustCompile(`^sales users can assign leads only to themselves$`), "why.sales_assign_self", nil},
	{regexp.MustCompile(`^only admin and marketing users review duplicates$`), "why.only_review_duplicates", nil},
	{regexp.MustCompile(`^only admin and marketing users merge leads$`), "why.only_merge", nil},
	{regexp.MustCompile(`^only admin and marketing users undo merges$`), "why.only_undo_merges", nil},
	{regexp.MustCompile(`^only admin and marketing users can delete leads$`), "why.only_delete_leads", nil},
	{regexp.MustCompile(`^lead (\d+) was converted already$`), "why.converted_already", []string{"ID"}},
	{regexp.MustCompile(`^import (\d+) has already started$`), "why.import_started", []string{"ID"}},
	{regexp.MustCompile(`^this draft was changed by someone else since you opened it; reload it and apply your change again$`), "why.draft_changed", nil},
	{regexp.MustCompile(`^only a won opportunity is invoiced; win it first$`), "why.invoice_won_only", nil},
	{regexp.MustCompile(`^The form could not be read\.$`), "why.form_unreadable", nil},
	// The chance-to-convert model, which asks for enough history.
	{regexp.MustCompile(`^a model needs at least (\d+) closed leads and (\d+) conversions; there are (\d+) closed leads and (\d+) conversions$`),
		"why.model_needs_history", []string{"Min", "MinConversions", "Closed", "Conversions"}},
	// Merges undone and values reviewed, which the duplicates page and a
	// lead's page show as a note.
	{regexp.MustCompile(`^This merge cannot be undone: (.+)$`), "why.undo_refused", []string{"Why"}},
	{regexp.MustCompile(`^it was undone already$`), "why.undone_already", nil},
	{regexp.MustCompile(`^it was made before merges were recorded$`), "why.merge_unrecorded", nil},
	{regexp.MustCompile(`^lead (\d+) was merged into another lead or deleted since$`), "why.lead_merged_since", []string{"ID"}},
	{regexp.MustCompile(`^lead (\d+) was edited since \((.+)\)$`), "why.lead_edited_since", []string{"ID", "Fields"}},
	{regexp.MustCompile(`^lead (\d+) has the email (\S+) now$`), "why.lead_has_email", []string{"ID", "Email"}},
	{regexp.MustCompile(`^another lead has the email of a merged lead now$`), "why.email_of_merged", nil},
	{regexp.MustCompile(`^is used by lead (\d+)$`), "why.used_by_lead", []string{"ID"}},
	{regexp.MustCompile(`^is used by another lead$`), "why.used_by_another", nil},
	{regexp.MustCompile(`^these values were reviewed already$`), "why.reviewed_already", nil},
}

// whys are the field reasons that name no value, each looked up whole:
// most give a field's choices (codes the API takes, kept as they are in
// every language) or a rule of one service.
var whys = map[string]string{
	"must not be above the tier 1 threshold":                            "why.not_above_tier_1",
	"must be one of task, call, meeting, email, note":                   "why.activity_kind",
	"must be one of planned, done, cancelled":                           "why.activity_status",
	"must be a date (YYYY-MM-DD) or RFC 3339 time":                      "why.date_or_rfc3339",
	"must be a segment's id":                                            "why.segment_id",
	"is the pre-sale estimate's, fixed once the project is in delivery": "why.presale_member",
	"is set once the project is in delivery (its estimate accepted)":    "why.delivery_member",
	"must be an id":                     "why.an_id",
	"is not an invitation field":        "why.not_invitation_field",
	"must be an account id":             "why.account_id",
	"must be the next_cursor of a page": "why.next_cursor_of_page",
	"must be invoice or credit_note":    "why.invoice_kind",
	"must be an object of text values":  "why.object_of_text",
	"must be named with 1 to 40 lower-case letters, digits and underscores": "why.custom_key",
	"must be a string":                                                           "why.string",
	"is not a user field":                                                        "why.not_user_field",
	"must be new, qualified or both":                                             "why.applies_to",
	"must be a whole number from 1":                                              "why.whole_from_1",
	"must be one of asap, 3m, 6m, 12m, later":                                    "why.brief_timeline",
	"must be assign, stage, enrol or delete":                                     "why.bulk_action",
	"must be the stage to move the leads to":                                     "why.bulk_stage",
	"must be the id of a sequence":                                               "why.sequence_id",
	"is required: lower-case letters, digits and hyphens, such as email-sync":    "why.feature_key",
	"list at most 12 open stages":                                                "why.open_stages_at_most",
	"is not a lead field a form can ask for; give a custom field a type":         "why.form_not_lead_field",
	"is asked twice":                                                             "why.asked_twice",
	"must be classic, split or minimal":                                          "why.form_template",
	"must be one of S, Z, E, AE, K, G, O":                                        "why.vat_category",
	"is required (such as \"Loyalty discount\"), at most 200 characters":         "why.allowance_reason",
	"must be above 0 at the standard rate; choose another category for no VAT":   "why.standard_rate_above_zero",
	"must be 0 in this category":                                                 "why.zero_in_category",
	"is required on a document not subject to VAT, which states no VAT ID":       "why.registration_no_without_vat",
	"an invoice needs the seller's VAT ID or registration number":                "why.seller_vat_or_registration",
	"must name at least one lead to merge":                                       "why.merge_needs_lead",
	"is not a field a merge chooses":                                             "why.not_merge_field",
	"must be one of the leads being merged":                                      "why.one_of_merged",
	"must be score, -score or newest":                                            "why.duplicates_sort",
	"give lead_id, email or visitor_id":                                          "why.event_needs_lead",
	"must not be in the future (at most 5 minutes ahead of the server's clock)":  "why.not_future_clock",
	"at most 50 properties":                                                      "why.properties_at_most",
	"must be an event type such as page_view (no spaces, at most 64 characters)": "why.event_type",
	"must be awaiting or overdue":                                                "why.awaiting_or_overdue",
	"is not a cursor this list returned":                                         "why.cursor_returned",
	"is not a cursor this list gave":                                             "why.cursor_gave",
	"must be a next_cursor this list gave":                                       "why.next_cursor_gave",
	"must be a time such as 2026-03-01T09:30:00Z":                                "why.time_example",
	"is not a lead field":                                                        "why.not_lead_field",
	"must be decision_maker, influencer, user or unknown":                        "why.authority",
	"must be sql, nurturing or disqualified":                                     "why.qualify_outcome",
	"list at least one reason, one a line":                                       "why.one_reason",
	"list at most 30 reasons":                                                    "why.reasons_at_most",
	"is not a field of this review":                                              "why.not_review_field",
	"must be kept or offered":                                                    "why.kept_or_offered",
	"must be one line":                                                           "why.be_one_line",
	"is too long (at most 200,000 bytes)":                                        "why.too_long_bytes",
	"must be a fraction from 0 to 1 (0.1 is 10%)":                                "why.fraction",
	"must be draft, active or paused":                                            "why.sequence_status",
	"must be manual, stage, form, nurture or segment":                            "why.trigger_kind",
	"must be mon, tue, wed, thu, fri, sat, sun, or empty for any day":            "why.weekday",
	"is needed with a name: a name alone may be many people":                     "why.company_with_name",
	"is needed with a company":                                                   "why.needed_with_company",
	"is needed with a first name and a company":                                  "why.needed_with_first_name_company",
	"must be a contact of the project's account":                                 "why.project_contact",
	"must be one of active, on_hold, done, cancelled":                            "why.project_status",
	"is not an item of the checklist (processes, users, data, integrations)":     "why.checklist_item",
	"notes must be at most 5,000 characters":                                     "why.checklist_notes",
	"is required with a day rate: a three-letter ISO 4217 code such as EUR":      "why.currency_with_day_rate",
	"is needed to send an estimate":                                              "why.needed_for_estimate",
	"list the features to build before sending an estimate":                      "why.features_before_estimate",
	"must be one of analysis, estimate_sent, accepted, rejected":                 "why.presale_status",
	"must be me or an active user's email":                                       "why.me_or_active_user",
	"must be one of presale, active, on_hold, done, cancelled":                   "why.project_list_status",
	"types are implementation and custom_development":                            "why.template_types",
	"list at most 30 stages":                                                     "why.stages_at_most",
	"must not be before from":                                                    "why.not_before_from",
	"a period is at most 10 years":                                               "why.period_at_most",
	"must be a three-letter code such as EUR":                                    "why.three_letter_code",
	"must be pending, accepted or rejected":                                      "why.handover_status",
	"must be qualifying or closing":                                              "why.team_role",
	"only a qualifying team hands over to a closing team":                        "why.only_qualifying_hands_over",
	"must be from 0 (no decay) to 3650":                                          "why.half_life_days",
	"must not be negative (0 turns automatic MQL off)":                           "why.mql_not_negative",
	"must not be negative (0 means no cap)":                                      "why.cap_not_negative",
	"must be one of equals, not_equals, contains, starts_with, in, gte, lte, between, is_empty, is_set": "why.rule_op",
	"needs at least one value":                                       "why.needs_a_value",
	"needs one number":                                               "why.needs_one_number",
	"needs two numbers, the lowest and the highest":                  "why.needs_two_numbers",
	"must be from 0 (all time) to 3650":                              "why.window_days",
	"must be all or any":                                             "why.all_or_any",
	"must be leads or accounts":                                      "why.leads_or_accounts",
	"must be at least 1 (at most 0 finds leads without such events)": "why.count_at_least_1",
	"name a segment":                                                 "why.name_a_segment",
	"pick at least one":                                              "why.pick_at_least_one",
	"each value must be 1 to 200 characters":                         "why.each_value_length",
	"would put the segment inside itself":                            "why.segment_inside_itself",
	"appears more than once":                                         "why.appears_twice",
	"must be in the future":                                          "why.in_future",
	"admin is for admins' tokens; choose read-only or read-write":    "why.admin_scope",
	"must be one of read-only, read-write, admin":                    "why.token_scope",
	"must be admin, marketing or sales":                              "why.user_role",
	"must be a lead id":                                              "why.lead_id",
	"must name a lead to merge":                                      "why.merge_names_lead",
	"must be a whole number of months":                               "why.whole_months",
}

// denials are the refusals of an action kept for some roles or owners,
// which a page shows as the reason for its 403: each is one sentence, so
// it is looked up whole.
var denials = map[string]string{
	"a lead of the contact belongs to another sales user: its owner or an admin can close the deal as won": "deny.close_deal_lead_of_contact",
	"exporting and erasing a person's data is for admins":                                                  "deny.privacy_admins",
	"forms, landing pages and submissions are for admin and marketing users":                               "deny.forms_marketing",
	"imports are for admin and marketing users":                                                            "deny.imports_marketing",
	"notifications belong to a user; sign in as one":                                                       "deny.notifications_user",
	"saved views belong to a user; sign in as one":                                                         "deny.saved_views_user",
	"only admin and marketing record channel spend":                                                        "deny.spend_marketing",
	"only admin and marketing users can change the catalog":                                                "deny.catalog_marketing",
	"only admin and marketing users change the account scoring rules":                                      "deny.account_scoring_marketing",
	"only admin and marketing users change the scoring rules":                                              "deny.scoring_marketing",
	"only admin and marketing users train and restore the prediction model":                                "deny.prediction_marketing",
	"only admins and sales users work on invoices":                                                         "deny.invoices_sales",
	"only admins can change the matching weights":                                                          "deny.matching_admins",
	"only admins change the invoicing settings":                                                            "deny.invoicing_admins",
	"only admins change the product catalog":                                                               "deny.products_admins",
	"only admins change the project settings":                                                              "deny.project_settings_admins",
	"only admins change the project stages":                                                                "deny.project_stages_admins",
	"only admins handle other users' credentials":                                                          "deny.credentials_admins",
	"only admins manage users":                                                                             "deny.users_admins",
	"only admins manage webhooks":                                                                          "deny.webhooks_admins",
	"only admins read the audit log":                                                                       "deny.audit_admins",
	"only admins retry outgoing email":                                                                     "deny.retry_mail_admins",
	"only admins see the background jobs":                                                                  "deny.jobs_admins",
	"only admins see the outgoing email":                                                                   "deny.outbox_admins",
	"only admins see the project settings":                                                                 "deny.see_project_settings_admins",
	"only admins set the team's language":                                                                  "deny.team_language_admins",
	"only an admin can change the disqualify reasons":                                                      "deny.disqualify_reasons_admin",
	"only an admin can change the pipeline":                                                                "deny.pipeline_admin",
	"only an admin connects mailboxes":                                                                     "deny.mailboxes_admin",
	"only an admin manages lead assignment":                                                                "deny.assignment_admin",
	"only an admin manages sales teams":                                                                    "deny.teams_admin",
	"only marketing and admins manage nurturing":                                                           "deny.nurturing_marketing",
	"only the account executive it was handed to, or an admin, answers a hand-over":                        "deny.handover_answer",
	"sales users may take or release only their own or unassigned accounts":                                "deny.accounts_take_release",
	"segments are made and changed by admin and marketing users":                                           "deny.segments_marketing",
	"the contact belongs to another sales user":                                                            "deny.contact_other",
	"the deal's contact belongs to another sales user: its owner or an admin can close the deal as won":    "deny.close_deal_contact",
	"the event's lead belongs to another sales user":                                                       "deny.event_lead_other",
	"the record belongs to another sales user":                                                             "deny.record_other",
	"this invoice belongs to another sales user":                                                           "deny.invoice_other",
	"tracking settings are for admin and marketing users":                                                  "deny.tracking_marketing",
}

// example is a number leadflow gives as an example ("1250.00") with l's
// decimal mark, as a page takes it back from the reader (see
// ReadNumber).
func (l *Locale) example(n string) string {
	if whole, frac, ok := strings.Cut(n, "."); ok && isDigits(whole) && isDigits(frac) {
		return whole + l.decimal + frac
	}
	return n
}

// invoiceTitle is an invoice's title written in English ("Invoice
// INV-2026-0001", "Draft credit note") in l's language.
func (l *Locale) invoiceTitle(title string) string {
	en := For(Default)
	for _, kind := range []string{"invoice", "credit_note"} {
		if title == en.T("invoice.title.draft_"+kind) {
			return l.T("invoice.title.draft_" + kind)
		}
		if number, ok := strings.CutPrefix(title, en.T("invoice.title."+kind, "Number", "")); ok {
			return l.T("invoice.title."+kind, "Number", number)
		}
	}
	return title
}

// Reason is reason, a field error or a refusal in English, in l's
// language.
func (l *Locale) Reason(reason string) string {
	if id, ok := denials[reason]; ok {
		return l.T(id)
	}
	if id, ok := whys[reason]; ok {
		return l.T(id)
	}
	for _, r := range reasons {
		m := r.re.FindStringSubmatch(reason)
		if m == nil {
			continue
		}
		var args []any
		for i, name := range r.args {
			v := m[i+1]
			var arg any = v
			switch name {
			case "Count":
				arg = atoi(strings.ReplaceAll(v, ",", ""))
			case "Min", "Max", "MinConversions", "Closed", "Conversions":
				arg = l.Number(atoi(strings.ReplaceAll(v, ",", "")))
			case "From", "To":
				arg = l.stage(v)
			case "Allowed":
				arg = l.each(v, l.stage)
			case "Amount":
				arg = l.money(v)
			case "Reasons":
				arg = l.each(v, l.DisqualifyReason)
			case "Fields":
				arg = l.each(v, l.field)
			case "Why":
				arg = l.Reason(v)
			case "Kind":
				arg = l.T("kind." + strings.ReplaceAll(v, " ", "_"))
			case "Example":
				arg = l.example(v)
			case "Title":
				arg = l.invoiceTitle(v)
			case "InvoiceStatus":
				name, arg = "Status", l.T("invoice.status_word."+v)
			}
			args = append(args, name, arg)
		}
		return l.T(r.id, args...)
	}
	return reason
}

// stage is a lifecycle stage's code as l names it.
func (l *Locale) stage(code string) string {
	return l.Or("stage."+code, code)
}

// DisqualifyReason is a reason a lead may be disqualified for in l's
// language when it is one leadflow ships ("no budget"); a team's own
// reasons as they wrote them.
func (l *Locale) DisqualifyReason(reason string) string {
	return l.Or("dqr."+strings.ReplaceAll(strings.ToLower(reason), " ", "_"), reason)
}

// field is a lead field's code as l names it.
func (l *Locale) field(code string) string {
	return l.Or("field."+code, code)
}

// each is a list written "a, b" with each item as name writes it.
func (l *Locale) each(list string, name func(string) string) string {
	items := strings.Split(list, ", ")
	for i, it := range items {
		items[i] = name(it)
	}
	return strings.Join(items, ", ")
}

func atoi(s string) int64 {
	digits, neg := strings.CutPrefix(s, "-")
	var n int64
	for _, c := range digits {
		n = n*10 + int64(c-'0')
	}
	if neg {
		return -n
	}
	return n
}

// changeReasons are the reasons leadflow itself writes on a lead's
// timeline and on enrolments, stored in English (the API and the audit
// answer them so). A page shows them in its reader's language; a reason
// a user typed, or one not listed, shows as written.
var changeReasons = []struct {
	re   *regexp.Regexp
	id   string
	args []string
}{
	{regexp.MustCompile(`^form "(.*)"$`), "change.form", []string{"Name"}},
	{regexp.MustCompile(`^import (\d+) \((.*)\)$`), "change.import", []string{"ID", "Name"}},
	{regexp.MustCompile(`^mail "(.*)"$`), "change.mail", []string{"Name"}},
	{regexp.MustCompile(`^matched on website domain (\S+)$`), "change.matched_website", []string{"Value"}},
	{regexp.MustCompile(`^matched on email domain (\S+)$`), "change.matched_email", []string{"Value"}},
	{regexp.MustCompile(`^matched on company name “(.*)”$`), "change.matched_company", []string{"Value"}},
	{regexp.MustCompile(`^owner of account (.+)$`), "change.account_owner", []string{"Name"}},
	{regexp.MustCompile(`^score (\d+) reached the MQL threshold of (\d+)$`), "change.mql_threshold", []string{"Score", "Threshold"}},
	{regexp.MustCompile(`^consent confirmed by email$`), "change.consent_confirmed", nil},
	{regexp.MustCompile(`^link undone$`), "change.link_undone", nil},
	{regexp.MustCompile(`^merge undone$`), "change.merge_undone", nil},
	{regexp.MustCompile(`^merge of lead (\d+)$`), "change.merge_of", []string{"ID"}},
	{regexp.MustCompile(`^values chosen in a merge$`), "change.values_merge", nil},
	{regexp.MustCompile(`^values chosen in review$`), "change.values_review", nil},
	{regexp.MustCompile(`^converted with an opportunity$`), "change.converted", nil},
	{regexp.MustCompile(`^software request saved$`), "change.request_saved", nil},
	{regexp.MustCompile(`^brief sent to (.+)$`), "change.brief_sent", []string{"Vendors"}},
	{regexp.MustCompile(`^enrolled through the API$`), "change.enrolled_api", nil},
	{regexp.MustCompile(`^enrolled by (\S+)$`), "change.enrolled_by", []string{"Email"}},
	{regexp.MustCompile(`^entered the segment (.+)$`), "change.entered_segment", []string{"Name"}},
	{regexp.MustCompile(`^reached (\w+)$`), "change.reached", []string{"Stage"}},
	{regexp.MustCompile(`^submitted the form (.+)$`), "change.submitted_form", []string{"Name"}},
	{regexp.MustCompile(`^sent back to nurturing$`), "change.sent_back", nil},
	{regexp.MustCompile(`^sent back to nurturing: (.+)$`), "change.sent_back_why", []string{"Why"}},
	// Scoring's own: see lead.ReasonActivity and lead.ReasonDecay.
	{regexp.MustCompile(`^new activity$`), "change.new_activity", nil},
	{regexp.MustCompile(`^decay$`), "change.decay", nil},
	{regexp.MustCompile(`^new activity: reached the MQL threshold of (\d+)$`), "change.activity_reached_mql", []string{"Threshold"}},
	{regexp.MustCompile(`^new activity: fell below the MQL threshold of (\d+)$`), "change.activity_fell_below_mql", []string{"Threshold"}},
	{regexp.MustCompile(`^decay: fell below the MQL threshold of (\d+)$`), "change.decay_fell_below_mql", []string{"Threshold"}},
	{regexp.MustCompile(`^scoring rules version (\d+)$`), "change.rules_version", []string{"Version"}},
	{regexp.MustCompile(`^demo data$`), "change.demo_data", nil},
	{regexp.MustCompile(`^passed BANT qualification$`), "change.passed_bant", nil},
	{regexp.MustCompile(`^assignment rule "(.*)"$`), "change.assignment_rule", []string{"Name"}},
	{regexp.MustCompile(`^lead edited$`), "change.lead_edited", nil},
	{regexp.MustCompile(`^first contact: (\w+) "(.*)" completed$`), "change.first_contact", []string{"Kind", "Subject"}},
	// Where a consent came from, in the consent history.
	{regexp.MustCompile(`^changed by hand$`), "change.by_hand", nil},
	{regexp.MustCompile(`^confirmation link$`), "change.confirmation_link", nil},
	{regexp.MustCompile(`^unsubscribe link$`), "change.unsubscribe_link", nil},
	{regexp.MustCompile(`^intake$`), "change.intake", nil},
}

// ChangeReason is a reason leadflow wrote in English, in l's language;
// anything else as it is.
func (l *Locale) ChangeReason(reason string) string {
	for _, r := range changeReasons {
		m := r.re.FindStringSubmatch(reason)
		if m == nil {
			continue
		}
		var args []any
		for i, name := range r.args {
			v := m[i+1]
			if name == "Stage" && Has("stage."+v) {
				v = l.T("stage." + v)
			}
			if name == "Kind" && Has("code."+v) {
				v = strings.ToLower(l.T("code." + v)) // an activity's kind, mid-sentence
			}
			args = append(args, name, v)
		}
		return l.T(r.id, args...)
	}
	// A lead disqualified for a reason leadflow ships ("no budget").
	return l.DisqualifyReason(reason)
}

// FieldReasons is a refusal written as its fields' reasons ("email must
// be an email address; phone is too long", as a rejected import row or a
// bulk action keeps it), in l's language: each field by its label, each
// reason as l words it. A reason that names no field, or
// a field no catalog labels, reads as stored, as does every reason in
// English, the language it is stored in.
func (l *Locale) FieldReasons(stored string) string {
	if l.Lang == Default {
		return stored
	}
	// A reason may hold "; " itself ("ends in a number; a domain ends in
	// letters"): a part that does not start with a field's key goes on
	// the reason before it.
	var parts []string
	for _, p := range strings.Split(stored, "; ") {
		field, _, _ := strings.Cut(p, " ")
		if len(parts) > 0 && !Has("field."+field) {
			parts[len(parts)-1] += "; " + p
			continue
		}
		parts = append(parts, p)
	}
	for i, p := range parts {
		field, why, ok := strings.Cut(p, " ")
		if !ok || !Has("field."+field) {
			continue
		}
		parts[i] = l.T("field."+field) + " " + l.Reason(why)
	}
	return strings.Join(parts, "; ")
}

// money writes an amount a reason gives in English ("1,678.57 EUR") the
// way l writes money; anything else as it is.
func (l *Locale) money(s string) string {
	number, cur, ok := strings.Cut(s, " ")
	whole, frac, _ := strings.Cut(strings.ReplaceAll(number, ",", ""), ".")
	minor, isNumber := new(big.Int).SetString(strings.TrimPrefix(whole, "-")+frac, 10)
	if !ok || !isNumber || len(cur) != 3 || (frac != "" && !isDigits(frac)) {
		return s
	}
	if strings.HasPrefix(whole, "-") {
		minor.Neg(minor)
	}
	return l.MoneyMinor(minor, cur, len(frac))
}
