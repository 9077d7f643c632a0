ALTER TABLE orders RENAME TO purchases;
CREATE TABLE carts (id int);
ALTER INDEX carts RENAME TO baskets;
