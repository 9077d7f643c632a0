-- MariaDB refuses names over 64 characters instead of truncating them
CREATE TABLE customer_subscription_billing_history_with_invoices_and_credit_notes (id int);
