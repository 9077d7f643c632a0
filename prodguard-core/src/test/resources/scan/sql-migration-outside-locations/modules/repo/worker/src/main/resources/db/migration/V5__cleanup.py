import os
os.system("psql -c \"delete from users\"")
