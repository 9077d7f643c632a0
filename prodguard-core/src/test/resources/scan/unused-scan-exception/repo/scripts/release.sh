#!/bin/sh
echo "never pass --skip-backup"
