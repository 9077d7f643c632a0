#!/bin/sh
pg_restore -d "$PROD_DATABASE_URL" dump.pgc
psql postgresql://deploy@db-1.prod.internal/app -c 'select 1'
psql postgresql://deploy@db-1.dev.internal/app -c 'select 1'
