CREATE TABLE ${prefix}audit_log (
  id bigserial PRIMARY KEY,
  order_id bigint NOT NULL,
  old_status order_status,
  new_status order_status NOT NULL
);

CREATE FUNCTION audit_order_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    INSERT INTO ${prefix}audit_log (order_id, old_status, new_status)
    VALUES (NEW.id, OLD.status, NEW.status);
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER orders_audit AFTER UPDATE ON ${prefix}orders
  FOR EACH ROW EXECUTE FUNCTION audit_order_status();
