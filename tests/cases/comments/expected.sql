COMMENT ON COLUMN public.notes.body IS 'the text';

COMMENT ON CONSTRAINT notes_pkey ON public.notes IS 'identity';

COMMENT ON TABLE public.notes IS E'it''s new: quotes and \\ backslashes';

COMMENT ON VIEW public.note_ids IS 'ids only';
