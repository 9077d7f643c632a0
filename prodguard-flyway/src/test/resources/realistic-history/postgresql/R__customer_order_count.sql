CREATE OR REPLACE FUNCTION customer_order_count(cid bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT count(*) FROM ${prefix}orders WHERE customer_id = cid
$$;
