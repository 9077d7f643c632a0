# nightly housekeepingTRUNCATE users;
