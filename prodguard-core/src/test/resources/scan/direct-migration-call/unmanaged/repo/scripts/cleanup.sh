#!/bin/sh
# one-off cleanup, run by hand
psql "$PROD_DATABASE_URL" -c "delete from services"
psql "$DEV_DATABASE_URL" -c "delete from services"
psql "$PRODUCT_URL" -c "select 1"
psql "$DATABASE_URL" -c "select 1"
echo "$PROD_DATABASE_URL" > /dev/null
