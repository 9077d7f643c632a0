-- Built in place, writes allowed meanwhile.
ALTER TABLE ${prefix}orders ADD INDEX orders_status_idx (status), ALGORITHM=INPLACE, LOCK=NONE;
