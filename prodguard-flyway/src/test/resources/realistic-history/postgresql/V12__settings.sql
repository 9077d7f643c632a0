CREATE TABLE shop_settings (key text PRIMARY KEY, value text NOT NULL);
-- Taken literally: the .conf turns placeholder replacement off for this file.
INSERT INTO shop_settings (key, value) VALUES ('greeting', 'Hello ${customer_name}!');
