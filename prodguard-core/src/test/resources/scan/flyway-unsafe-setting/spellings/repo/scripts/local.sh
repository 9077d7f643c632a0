#!/bin/sh
flyway -cleanDisabled=false info
./mvnw -Dflyway.outOfOrder=true flyway:info
