CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');

CREATE TABLE ${prefix}orders (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES ${prefix}customers (id),
  status order_status NOT NULL DEFAULT 'new',
  total_cents bigint NOT NULL DEFAULT 0 CHECK (total_cents >= 0),
  currency char(3) NOT NULL DEFAULT '${currency}',
  updated_at timestamptz
);
COMMENT ON TABLE ${prefix}orders IS 'orders of ${shop_name}';
