-- prodguard guards objects, version 3, MySQL/MariaDB: the history guard's state, readable by the
-- environment's own account.
-- On PostgreSQL version 3 lets only the owners write prodguard's tables. MySQL/MariaDB triggers
-- cannot tell prodguard's connections from an application's with the same rights, so there the
-- grants are the guard: verify and deploy refuse while the environment's url account may write
-- prodguard's tables or the history table (G6 role split, docs/g6-direct-migration.md). Such an
-- account (SELECT and EXECUTE on the database) cannot see the history table's triggers in
-- information_schema; this routine, run as its definer, tells status and check which are there.
-- Never edit a released version; add V4.sql (docs/database-objects.md).
-- Statements end with a line holding only ';'.
DROP PROCEDURE IF EXISTS prodguard_guard_triggers
;
CREATE PROCEDURE prodguard_guard_triggers(IN p_table VARCHAR(64)) SQL SECURITY DEFINER READS SQL DATA
BEGIN
  SELECT TRIGGER_NAME, 'E' FROM information_schema.TRIGGERS
  WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = p_table
    AND TRIGGER_NAME LIKE 'prodguard\_%';
END
;
-- A deploying run whose deploy session no longer holds the deploy lock (the process was killed)
-- is marked failed by the next prodguard command, status included, which connects with the
-- environment's url account; that account may not write prodguard_run, so the check and the
-- write run here, as the definer. Returns one row: how many runs it marked (0 or 1).
DROP PROCEDURE IF EXISTS prodguard_mark_stale
;
CREATE PROCEDURE prodguard_mark_stale(IN p_run VARCHAR(40), IN p_failure LONGTEXT, IN p_now DATETIME(6)) SQL SECURITY DEFINER MODIFIES SQL DATA
BEGIN
  DECLARE holder BIGINT UNSIGNED DEFAULT IS_USED_LOCK(CONCAT('prodguard:', LEFT(SHA2(DATABASE(), 256), 40)));
  UPDATE prodguard_run SET status = 'failed', failure = p_failure, finished_at = p_now, updated_at = p_now
  WHERE id = p_run AND status = 'deploying'
    AND (holder IS NULL OR deploy_session IS NULL OR CAST(deploy_session AS UNSIGNED) <> holder);
  SELECT ROW_COUNT();
END
;
