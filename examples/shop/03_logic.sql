-- Shop example, part 3: a view, a function and a trigger.

CREATE VIEW order_totals AS
SELECT o.id AS order_id,
       o.customer_id,
       o.status,
       coalesce(sum(i.quantity * i.price_cents), 0) AS total_cents
  FROM orders o
  LEFT JOIN order_items i ON i.order_id = o.id
 GROUP BY o.id, o.customer_id, o.status;

CREATE FUNCTION touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER orders_touch_updated_at
    BEFORE UPDATE ON orders
    FOR EACH ROW
    EXECUTE FUNCTION touch_updated_at();
