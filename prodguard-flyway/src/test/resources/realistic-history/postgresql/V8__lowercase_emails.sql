-- Data fix: e-mail addresses are compared in lower case from now on.
UPDATE ${prefix}customers SET email = lower(email) WHERE email <> lower(email);
