-- Shop example, part 1: types shared by the tables.
-- Desired state for seam: plain PostgreSQL 15 DDL, no data.

CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');
