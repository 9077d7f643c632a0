#!/bin/sh
pg_restore --clean -d "${PRODUCTION_DATABASE_URL}" dump.pgc
mysql "$BILLING_PROD_DB_URL" < fix.sql
psql "$STAGING_DATABASE_URL" -f fix.sql
