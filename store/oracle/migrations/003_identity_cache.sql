-- L2 of the Civil Registry identity check, the same as store/sqlite/migrations/003_identity_cache.sql
-- (read it for the freshness rules). Oracle has no boolean comparison in CHECK, so SQLite's
-- "(valid = 1) = (reason IS NULL)" is written out; WITHOUT ROWID becomes an index-organized table.
--
-- File format: statements separated by a line holding only "/" (see 001_register.sql).

CREATE TABLE identity_cache (
  run NUMBER(8) NOT NULL,                                -- RUN body, as in civil_identity
  document_serial VARCHAR2(20 CHAR) NOT NULL,            -- nine digits, no dots
  valid NUMBER(1) NOT NULL CHECK (valid IN (0, 1)),
  reason VARCHAR2(20 CHAR) CHECK (reason IN ('RUN_NOT_FOUND', 'SERIAL_MISMATCH', 'DOCUMENT_BLOCKED', 'DOCUMENT_EXPIRED')),
  verified_at VARCHAR2(40 CHAR) NOT NULL,                -- ISO timestamp (UTC) of the upstream's answer
  PRIMARY KEY (run, document_serial),
  CHECK ((valid = 1 AND reason IS NULL) OR (valid = 0 AND reason IS NOT NULL))
) ORGANIZATION INDEX
/
CREATE INDEX identity_cache_verified ON identity_cache (verified_at)   -- monthly reconciliation, purges
/
