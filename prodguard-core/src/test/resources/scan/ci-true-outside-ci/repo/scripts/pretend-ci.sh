#!/bin/sh
CI=1 ./mvnw verify
if [ "$CI" = "true" ]; then echo "running in CI"; fi
