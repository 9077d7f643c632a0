CREATE TABLE ${prefix}orders (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  status ENUM('new', 'paid', 'shipped') NOT NULL DEFAULT 'new',
  total_cents BIGINT NOT NULL DEFAULT 0 CHECK (total_cents >= 0),
  currency CHAR(3) NOT NULL DEFAULT '${currency}',
  updated_at DATETIME NULL,
  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES ${prefix}customers (id)
) COMMENT 'orders of ${shop_name}';
