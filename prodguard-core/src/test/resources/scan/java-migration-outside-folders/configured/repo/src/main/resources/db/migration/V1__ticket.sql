create table ticket (id bigint primary key);
