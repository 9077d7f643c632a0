ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE USING INDEX accounts_email_idx;
ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_id_idx;
CREATE TABLE fresh (id int, email text);
ALTER TABLE fresh ADD CONSTRAINT fresh_email_key UNIQUE (email);
ALTER TABLE accounts ADD CONSTRAINT accounts_check CHECK (id > 0) NOT VALID;
