SELECT '${flyway:filename}';
