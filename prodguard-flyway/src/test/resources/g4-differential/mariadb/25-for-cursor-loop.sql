DELIMITER //
CREATE PROCEDURE rename_all()
BEGIN
  FOR r IN (SELECT id FROM users) DO
    UPDATE users SET name = 'x' WHERE id = r.id;
  END FOR;
END //
DELIMITER ;
CALL rename_all();
