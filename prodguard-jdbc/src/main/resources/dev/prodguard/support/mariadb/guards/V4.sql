-- prodguard guards objects, version 4, MySQL/MariaDB: the refusal of prodguard_guard_check names
-- the command that deploys, 'prodguard promote ENV' (verify, backup, deploy), not 'prodguard
-- deploy ENV', which alone is refused without a verified, backed-up run. The procedure is
-- otherwise version 1's. Never edit a released version; add V5.sql (docs/database-objects.md).
-- Statements end with a line holding only ';'.
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
      SET msg = CONCAT('prodguard: ', what, ' blocked on protected environment ''', env, ''': run ''prodguard promote ', env, ''' from CI');
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = msg;
    END IF;
  END IF;
END
;
