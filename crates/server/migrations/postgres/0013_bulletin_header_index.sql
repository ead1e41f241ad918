-- Issue 11: SQLite needs a covering index of the bulletin header columns (see the SQLite
-- migration 0013). PostgreSQL keeps a large `content` out of line (TOAST), so reading the other
-- columns never touches it, and a B-tree entry with long correction notes could exceed its size
-- limit: nothing to do here.
SELECT 1;
