UPDATE orders o JOIN users u ON o.id = u.id SET u.name = 'x' WHERE o.id = 2;
