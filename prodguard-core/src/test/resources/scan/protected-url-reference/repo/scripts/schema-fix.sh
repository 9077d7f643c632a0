#!/bin/sh
mysql "$PROD_DEPLOY_DATABASE_URL" < fix.sql
