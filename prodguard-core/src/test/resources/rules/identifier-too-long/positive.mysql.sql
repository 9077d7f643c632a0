-- MariaDB refuses names over 64 characters (ER_TOO_LONG_IDENT): the deploy fails there
CREATE TABLE customer_subscription_billing_history_with_invoices_and_credit_notes (id int);
