DELETE FROM sessions WHERE expires_at < now();
DELETE FROM t USING u WHERE t.id = u.id AND u.expires_at < now();
DELETE FROM a WHERE id IN (SELECT b.id FROM b);
DELETE FROM a WHERE 1 = 1 AND b = 2;
