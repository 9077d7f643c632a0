#!/bin/sh
# flyway clean   (a comment is not a call)
flyway -url="$PROD_DATABASE_URL" -user=deploy migrate
flyway info
psql "$PROD_DATABASE_URL" -f fix.sql
psql "$DEV_DATABASE_URL" -f fix.sql
docker run --rm flyway/flyway:10 -url=jdbc:postgresql://db/app repair
