-- Data fix: e-mail addresses are stored in lower case from now on (compared byte by byte).
UPDATE ${prefix}customers SET email = LOWER(email) WHERE BINARY email <> LOWER(email);
