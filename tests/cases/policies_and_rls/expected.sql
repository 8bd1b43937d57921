ALTER TABLE public.secrets ENABLE ROW LEVEL SECURITY;

CREATE POLICY owner_only ON public.secrets FOR SELECT TO PUBLIC USING (owner = current_user);
