SELECT $$;DROP TABLE orders;$$;
SELECT $a$ $$ ; $a$;
SELECT $_$x$_$;
CREATE TABLE a$b (id int);
DELETE FROM users WHERE id = 1;
