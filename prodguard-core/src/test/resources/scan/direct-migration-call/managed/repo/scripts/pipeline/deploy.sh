#!/bin/sh
flyway -url="$PROD_DATABASE_URL" migrate
