ALTER TYPE public.mood ADD VALUE 'happy' AFTER 'sad';
