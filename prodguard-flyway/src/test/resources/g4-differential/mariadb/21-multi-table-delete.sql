DELETE o, u FROM orders o JOIN users u ON o.id = u.id WHERE o.id = 1;
