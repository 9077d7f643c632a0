-- issue 12: the first part commits, a later failure leaves the version out of the history
COMMIT;
ALTER TYPE kind ADD VALUE 'x';
BEGIN;
END;
ROLLBACK;
START TRANSACTION;
SAVEPOINT before_backfill;
RELEASE SAVEPOINT before_backfill;
ROLLBACK TO SAVEPOINT before_backfill;
ABORT;
PREPARE TRANSACTION 'deploy';
COMMIT PREPARED 'deploy';
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;
DO $$ BEGIN UPDATE orders SET v = 1 WHERE id = 2; COMMIT; END $$;
CREATE PROCEDURE batch() LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM t WHERE id < 10;
  COMMIT;
END $$;
CALL batch();
CALL refresh_everything();
