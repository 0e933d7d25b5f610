-- Monthly full snapshots of the sectoral registers (data/import): one row per register and
-- snapshot date, written in the same transaction that applies the snapshot to its cache table, so
-- a row here means the table holds exactly that file's accepted rows.
-- `register` is the import name (civil, disability, indigenous, health, street, emergency);
-- `as_of` is the snapshot date YYYYMMDD; counts are of the file's rows (emergency: records).

CREATE TABLE register_snapshot (
  register TEXT NOT NULL,
  as_of INTEGER NOT NULL,
  file_name TEXT NOT NULL,               -- base name of the imported file
  file_sha256 TEXT NOT NULL,             -- of the whole file: a second import of it is a no-op
  imported_at TEXT NOT NULL,             -- ISO timestamp (UTC) of the commit
  rows_read INTEGER NOT NULL,            -- data lines (header and blank lines excluded)
  accepted INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  new_rows INTEGER NOT NULL,
  changed_rows INTEGER NOT NULL,
  removed_rows INTEGER NOT NULL,
  PRIMARY KEY (register, as_of)          -- latest snapshot of a register; older-snapshot refusal
);
CREATE INDEX register_snapshot_sha ON register_snapshot (register, file_sha256);  -- "already imported"

-- The civil identity cache table gets the provenance every other register table has, so the
-- monthly Civil Registry file can stamp it. NULL on rows the generator wrote (never imported).
ALTER TABLE civil_identity ADD COLUMN source TEXT;
ALTER TABLE civil_identity ADD COLUMN as_of INTEGER;
