-- hazard data-loss: table public.audit_log is dropped with all its rows
DROP TABLE public.audit_log;
