-- the bodies of these routines are not among the analysed migrations
SELECT purge_orders();
SELECT id, archive_row(id) FROM orders WHERE id < 10;
CALL refresh_all();
UPDATE orders SET note = redact(note) WHERE id = 1;
SELECT query_to_xml('SELECT purge_orders()', true, false, '');
CREATE TRIGGER stamp BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION set_updated_at();
SELECT app.setval('orders_id_seq', 1);
