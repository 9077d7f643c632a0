ALTER EVENT ev_cleanup DISABLE;
ALTER EVENT ev_cleanup RENAME TO ev_old;
ALTER EVENT ev_cleanup COMMENT 'housekeeping';
