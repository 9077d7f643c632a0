DROPTABLE users;
