-- prodguard guards objects, version 1, MySQL/MariaDB: direct migration blocked (G6): prodguard_guard_config, prodguard_guard_check, prodguard_assert_deploy, prodguard_register_session.
-- Installed once per database and recorded in prodguard_schema: never edit a released version,
-- add V2.sql (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE TABLE IF NOT EXISTS prodguard_guard_config ( id INT NOT NULL PRIMARY KEY CHECK (id = 1), protected BOOLEAN NOT NULL, updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6), updated_by VARCHAR(255) NOT NULL) ENGINE=InnoDB
;
DROP PROCEDURE IF EXISTS prodguard_guard_check
;
CREATE PROCEDURE prodguard_guard_check(IN what VARCHAR(255)) SQL SECURITY DEFINER
BEGIN
  DECLARE env VARCHAR(64) DEFAULT NULL;
  DECLARE prot INT DEFAULT NULL;
  DECLARE approved BIGINT DEFAULT 0;
  DECLARE msg VARCHAR(512);
  DECLARE EXIT HANDLER FOR 1146, 1054
  BEGIN
    SET msg = CONCAT('prodguard: ', what, ' blocked: prodguard''s guard objects are missing or damaged; run prodguard init-fingerprint from CI');
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = msg;
  END;
  SET env = (SELECT environment FROM database_metadata WHERE id = 1);
  SET prot = (SELECT protected FROM prodguard_guard_config WHERE id = 1);
  IF env IS NULL OR prot IS NULL THEN
    SET msg = CONCAT('prodguard: ', what, ' blocked: database_metadata or prodguard_guard_config is empty, so nothing says this database may be changed');
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = msg;
  END IF;
  IF prot <> 0 THEN
    SET approved = (SELECT COUNT(*) FROM prodguard_session s JOIN prodguard_run r ON r.id = s.run_id WHERE s.session_id = CONNECTION_ID() AND r.status = 'deploying' AND r.environment = env AND r.approval_token_sha256 = s.token_sha256 AND CAST(r.deploy_session AS UNSIGNED) = IS_USED_LOCK(CONCAT('prodguard:', LEFT(SHA2(DATABASE(), 256), 40))));
    IF approved = 0 THEN
      SET msg = CONCAT('prodguard: ', what, ' blocked on protected environment ''', env, ''': run ''prodguard deploy ', env, ''' from CI');
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = msg;
    END IF;
  END IF;
END
;
DROP PROCEDURE IF EXISTS prodguard_assert_deploy
;
CREATE PROCEDURE prodguard_assert_deploy() SQL SECURITY DEFINER BEGIN CALL prodguard_guard_check('direct migration'); END
;
DROP PROCEDURE IF EXISTS prodguard_register_session
;
CREATE PROCEDURE prodguard_register_session(IN p_run VARCHAR(40), IN p_token VARCHAR(255)) SQL SECURITY DEFINER
BEGIN
  DECLARE h CHAR(64);
  SET h = SHA2(p_token, 256);
  IF (SELECT COUNT(*) FROM prodguard_run WHERE id = p_run AND status = 'deploying' AND approval_token_sha256 = h) = 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'prodguard: cannot register this session: the run is not being deployed with this approval';
  END IF;
  INSERT INTO prodguard_session (session_id, run_id, session_started, token_sha256, registered_at) VALUES (CONNECTION_ID(), p_run, NULL, h, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE run_id = VALUES(run_id), token_sha256 = VALUES(token_sha256), registered_at = VALUES(registered_at);
END
;
