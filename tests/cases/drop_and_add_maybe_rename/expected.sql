-- hazard data-loss: column public.keep.old_name is dropped with its data
-- hazard maybe-rename: column public.keep.old_name is dropped and column public.keep.new_name is added with the same type: if this is a rename, put `-- seam:renamed-from old_name` on the line before new_name's definition
ALTER TABLE public.keep DROP COLUMN old_name;

-- hazard data-loss: table public.archive is dropped with all its rows
-- hazard maybe-rename: table public.archive is dropped and table public.archive_v2 is added with the same columns: if this is a rename, put `-- seam:renamed-from archive` before CREATE TABLE public.archive_v2; as it stands the rows of public.archive are lost
DROP TABLE public.archive;

CREATE TABLE public.archive_v2 (
    id integer,
    payload text
);

ALTER TABLE public.keep ADD COLUMN new_name text;
