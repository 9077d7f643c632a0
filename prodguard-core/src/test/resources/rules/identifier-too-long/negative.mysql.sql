-- 64 characters are allowed on MariaDB
CREATE TABLE customer_subscription_billing_history_with_invoices_and_credit_n (id int);
