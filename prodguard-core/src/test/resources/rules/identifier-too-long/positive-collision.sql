-- both names keep the same first 63 bytes: PostgreSQL makes one name of two
CREATE TABLE customer_subscription_billing_history_with_invoices_and_credit__archive (id int);
CREATE TABLE customer_subscription_billing_history_with_invoices_and_credit__current (id int);
