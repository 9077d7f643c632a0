-- flyway migrate applies this file
create table t (id int primary key);
