CREATE TABLE customer (
  id bigint PRIMARY KEY,
  email text NOT NULL
);

CREATE TABLE legacy_audit (
  id bigint PRIMARY KEY,
  note text
);
