ALTER TABLE `orders` DROP COLUMN `legacy`;
