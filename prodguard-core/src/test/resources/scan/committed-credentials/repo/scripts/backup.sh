#!/bin/sh
pg_dump "postgresql://backup:pw123@db-prod-1/app" > dump.sql
pg_dump "postgresql://backup:${BACKUP_PASSWORD}@db-prod-1/app" > dump.sql
