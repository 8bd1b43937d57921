-- The swapped column holds the original values; no shadow column or trigger is left.
SELECT (SELECT count(*) = 1000 AND bool_and(quantity = id * 3) AND bool_and(note = 'item ' || id) FROM line_items)
   AND (SELECT count(*) = 0 FROM pg_trigger WHERE tgrelid = 'public.line_items'::regclass AND NOT tgisinternal)
   AND (SELECT format_type(atttypid, atttypmod) = 'bigint' FROM pg_attribute
         WHERE attrelid = 'public.line_items'::regclass AND attname = 'quantity');
