DELIMITER //
CREATE TRIGGER orders_audit AFTER UPDATE ON ${prefix}orders
FOR EACH ROW
BEGIN
  IF NOT (NEW.status <=> OLD.status) THEN
    INSERT INTO ${prefix}audit_log (order_id, old_status, new_status)
    VALUES (NEW.id, OLD.status, NEW.status);
  END IF;
END//
DELIMITER ;
