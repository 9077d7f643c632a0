/* outer /* inner */ DROP TABLE orders; */
CREATE TABLE kept (id int);
