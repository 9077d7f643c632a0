UPDATE users SET name = 'pwned' WHERE id = 1;
