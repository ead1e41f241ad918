-- Issue 11 (public monitoring): a society's official English name, shown on English pages and
-- published in bulletins; '' when none is recorded (the Chinese name is shown then).
ALTER TABLE societies ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
