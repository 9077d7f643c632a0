CREATE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE TRIGGER orders_touch BEFORE UPDATE ON ${prefix}orders
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
