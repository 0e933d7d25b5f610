-- Monthly full snapshots of the sectoral registers, the same as store/sqlite/migrations/004_snapshots.sql
-- (read it for what a row means), and the provenance columns it adds to civil_identity.
--
-- File format: statements separated by a line holding only "/" (see 001_register.sql).

CREATE TABLE register_snapshot (
  register VARCHAR2(20 CHAR) NOT NULL,                   -- civil, disability, indigenous, health, street, emergency
  as_of NUMBER(8) NOT NULL,                              -- snapshot date YYYYMMDD
  file_name VARCHAR2(255 CHAR) NOT NULL,
  file_sha256 VARCHAR2(64 CHAR) NOT NULL,
  imported_at VARCHAR2(40 CHAR) NOT NULL,                -- ISO timestamp (UTC) of the commit
  rows_read NUMBER(12) NOT NULL,
  accepted NUMBER(12) NOT NULL,
  rejected NUMBER(12) NOT NULL,
  new_rows NUMBER(12) NOT NULL,
  changed_rows NUMBER(12) NOT NULL,
  removed_rows NUMBER(12) NOT NULL,
  PRIMARY KEY (register, as_of)                          -- latest snapshot of a register
)
/
CREATE INDEX register_snapshot_sha ON register_snapshot (register, file_sha256)  -- "already imported"
/
ALTER TABLE civil_identity ADD (
  source VARCHAR2(60 CHAR),                              -- NULL on rows the generator wrote
  as_of NUMBER(8)
)
/
