-- 63 bytes exactly is kept whole
CREATE TABLE customer_subscription_billing_history_with_invoices_and_creditx (id int);
ALTER TABLE accounts ADD COLUMN confirmed_at timestamptz;
