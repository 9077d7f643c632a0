-- reviewers read: DROP is commented out ‮
DROP TABLE orders;
