DROP SCHEMA reporting CASCADE;

  DROP OWNED BY old_role;
