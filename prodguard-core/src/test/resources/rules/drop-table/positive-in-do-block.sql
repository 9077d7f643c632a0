DO $$
BEGIN
  DROP TABLE audit_old;
END
$$;
