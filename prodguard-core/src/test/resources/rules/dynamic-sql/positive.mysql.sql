PREPARE stmt FROM @sql;
EXECUTE stmt;
