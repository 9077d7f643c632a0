ALTER TABLE ${prefix}orders ADD COLUMN note VARCHAR(200) NULL;
-- Data fix: paid orders get the shop's note.
UPDATE ${prefix}orders SET note = 'thank you from ${shop_name}' WHERE status = 'paid' AND note IS NULL;
