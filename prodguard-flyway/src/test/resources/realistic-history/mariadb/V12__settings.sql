CREATE TABLE shop_settings (k VARCHAR(50) PRIMARY KEY, v VARCHAR(200) NOT NULL);
-- Taken literally: the .conf turns placeholder replacement off for this file.
INSERT INTO shop_settings (k, v) VALUES ('greeting', 'Hello ${customer_name}!');
