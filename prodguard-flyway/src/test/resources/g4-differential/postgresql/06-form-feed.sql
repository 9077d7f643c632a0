-- form feed is whitespace
DROPTABLEusers;
