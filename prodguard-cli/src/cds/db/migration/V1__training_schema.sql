-- Training input for the class-data-sharing archive built with the jar (prodguard-cli/pom.xml):
-- lint loads the classes a real migration set needs (splitter, classifier, rules, Flyway's parser).
CREATE TABLE IF NOT EXISTS account (
  id bigserial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  state varchar(16) NOT NULL DEFAULT 'new',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_state_idx ON account (state);
ALTER TABLE account ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE account ALTER COLUMN state TYPE text;
ALTER TABLE account ADD CONSTRAINT account_email_check CHECK (email <> '');
CREATE TYPE mood AS ENUM ('ok', 'sad');
ALTER TYPE mood ADD VALUE 'happy';
COMMENT ON TABLE account IS 'users';
GRANT SELECT ON account TO reporting;
