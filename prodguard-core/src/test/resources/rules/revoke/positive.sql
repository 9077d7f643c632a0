REVOKE ALL ON orders FROM public;
DROP ROLE old_app;
