#!/bin/sh
psql "$DATABASE_URL" -c "delete from users where id=1"
