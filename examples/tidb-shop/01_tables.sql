-- A small shop in the MySQL dialect (TiDB / MySQL / MariaDB), the desired
-- state seam loads through its MariaDB dev server (dialects/mysql/load.hpp).
SET NAMES utf8mb4;

CREATE TABLE customers (
  id BIGINT NOT NULL AUTO_INCREMENT,
  email VARCHAR(255) NOT NULL COMMENT 'login; unique',
  `display name` VARCHAR(100) DEFAULT NULL,
  status ENUM('active', 'blocked') NOT NULL DEFAULT 'active',
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY customers_email_key (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='people who buy';

CREATE TABLE products (
  id INT NOT NULL AUTO_INCREMENT,
  sku VARCHAR(32) NOT NULL,
  name VARCHAR(200) NOT NULL,
  price DECIMAL(10, 2) NOT NULL,
  stock INT NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY products_sku_key (sku),
  CONSTRAINT products_price_check CHECK (price >= 0)
);

CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT,
  customer_id BIGINT NOT NULL,
  note TEXT,
  total DECIMAL(12, 2) NOT NULL DEFAULT '0.00',
  placed_at DATETIME NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
    ON DELETE CASCADE
);

CREATE TABLE order_items (
  order_id BIGINT NOT NULL,
  product_id INT NOT NULL,
  quantity INT NOT NULL,
  PRIMARY KEY (order_id, product_id),
  CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id),
  CONSTRAINT order_items_product_fk FOREIGN KEY (product_id) REFERENCES products (id),
  CONSTRAINT order_items_quantity_check CHECK (quantity > 0)
);
