-- Invoices and credit notes. Amounts are integer minor units of the
-- document's currency; quantities thousandths, unit prices
-- ten-thousandths of the currency unit, percentages basis points. The
-- totals are worked out from the lines whenever a draft changes and
-- frozen at issue, with a copy of the seller's and buyer's details as
-- they were then: an issued document never changes.
CREATE TABLE invoices (
    id              {{ID}},
    kind            TEXT NOT NULL,                 -- invoice | credit_note
    number          TEXT UNIQUE,                   -- given at issue
    status          TEXT NOT NULL,                 -- draft | issued | paid | void
    account_id      BIGINT NOT NULL REFERENCES accounts (id),
    opportunity_id  BIGINT REFERENCES opportunities (id) ON DELETE SET NULL,
    credit_of       BIGINT REFERENCES invoices (id),
    owner_id        BIGINT REFERENCES users (id) ON DELETE SET NULL,
    currency        TEXT NOT NULL,
    issue_date      TEXT NOT NULL DEFAULT '',     -- YYYY-MM-DD, at issue
    due_date        TEXT NOT NULL DEFAULT '',
    buyer_reference TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    seller          TEXT NOT NULL DEFAULT '',     -- JSON, frozen at issue
    buyer           TEXT NOT NULL DEFAULT '',     -- JSON, frozen at issue
    line_total      BIGINT NOT NULL DEFAULT 0,
    allowance_total BIGINT NOT NULL DEFAULT 0,
    tax_exclusive   BIGINT NOT NULL DEFAULT 0,
    vat_total       BIGINT NOT NULL DEFAULT 0,
    tax_inclusive   BIGINT NOT NULL DEFAULT 0,
    cost_total      BIGINT NOT NULL DEFAULT 0,
    cost_known      BIGINT NOT NULL DEFAULT 0,        -- 1 when every line has its cost
    paid_total      BIGINT NOT NULL DEFAULT 0,
    credited_total  BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    issued_at       BIGINT,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX invoices_account ON invoices (account_id, id);
CREATE INDEX invoices_opportunity ON invoices (opportunity_id);
CREATE INDEX invoices_status_due ON invoices (status, due_date);
CREATE INDEX invoices_owner ON invoices (owner_id, id);
CREATE INDEX invoices_credit_of ON invoices (credit_of);

-- Lines and document allowances, in the order written.
CREATE TABLE invoice_lines (
    id          {{ID}},
    invoice_id  BIGINT NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,                     -- line | allowance
    product_id  BIGINT REFERENCES products (id) ON DELETE SET NULL,
    name        TEXT NOT NULL,
    quantity    BIGINT NOT NULL DEFAULT 0,
    unit_price  BIGINT NOT NULL DEFAULT 0,
    discount_bp BIGINT NOT NULL DEFAULT 0,
    amount      BIGINT NOT NULL DEFAULT 0,         -- an allowance's amount
    category    TEXT NOT NULL,
    rate_bp     BIGINT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    unit_cost   BIGINT
);
CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_id, id);

-- Payments received against an issued invoice, partial ones too.
CREATE TABLE invoice_payments (
    id         {{ID}},
    invoice_id BIGINT NOT NULL REFERENCES invoices (id),
    amount     BIGINT NOT NULL,
    paid_on    TEXT NOT NULL,
    method     TEXT NOT NULL DEFAULT '',
    reference  TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX invoice_payments_invoice ON invoice_payments (invoice_id, id);

-- The next number of each series: one per kind of document and year.
-- Issuing takes the number and advances it in the transaction that
-- issues, so numbers have neither gaps nor repeats.
CREATE TABLE invoice_series (
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    next BIGINT NOT NULL,
    PRIMARY KEY (kind, year)
);

-- An account's legal details, as invoices to it need them.
CREATE TABLE account_billing (
    account_id      BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    legal_name      TEXT NOT NULL DEFAULT '',
    vat_id          TEXT NOT NULL DEFAULT '',
    registration_no TEXT NOT NULL DEFAULT '',
    street          TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    country         TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    updated_at      BIGINT NOT NULL
);
