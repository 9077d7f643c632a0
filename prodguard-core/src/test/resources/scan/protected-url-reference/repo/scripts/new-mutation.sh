#!/bin/sh
export DATABASE_URL="$PROD_DATABASE_URL"
./app migrate
