DO $$
BEGIN
  -- harmless noteDROP TABLE orders;
END
$$;
