UPDATE users SET active = true;
UPDATE users SET a = (SELECT max(x) FROM y WHERE y.id = 1);
UPDATE t SET a = 1 WHERE 1=1;
UPDATE t SET a = b.a FROM b WHERE t.id = b.id;
