UPDATE users SET name = lower(name) WHERE id = 1;
