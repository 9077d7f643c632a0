REINDEX TABLE accounts;
REINDEX (VERBOSE) INDEX accounts_email_idx;
