-- nightly housekeepingTRUNCATE users;
