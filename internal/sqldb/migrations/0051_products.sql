-- The catalog of what the team sells. Prices and costs are integer minor
-- units of the product's currency (cents). A product keeps either its
-- unit cost or its margin in basis points, as it was entered; the other
-- is worked out when read. version counts the writes of the row.
CREATE TABLE products (
    id         {{ID}},
    name       TEXT NOT NULL,
    name_sort  {{SORTKEY}} NOT NULL,
    unit_price BIGINT NOT NULL,
    currency   TEXT NOT NULL,
    unit_cost  BIGINT,
    margin_bp  BIGINT,
    active     BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX products_name ON products (lower(name));
CREATE INDEX products_sort ON products (name_sort, id);

-- The products on an opportunity: a copy of the product's unit price and
-- unit cost when it was added, so a later change of the catalog does not
-- rewrite a deal already priced.
CREATE TABLE opportunity_lines (
    id             {{ID}},
    opportunity_id BIGINT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    product_id     BIGINT NOT NULL REFERENCES products (id),
    quantity       BIGINT NOT NULL,
    unit_price     BIGINT NOT NULL,
    unit_cost      BIGINT NOT NULL,
    currency       TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX opportunity_lines_opportunity ON opportunity_lines (opportunity_id, id);
CREATE INDEX opportunity_lines_product ON opportunity_lines (product_id);
