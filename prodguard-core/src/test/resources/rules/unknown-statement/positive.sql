FROBNICATE orders;
SELECT 'unterminated;
