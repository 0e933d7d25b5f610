-- L2 of the Civil Registry identity check (COW, DESIGN.md §3 "registers: lru-cache (L1) →
-- persistent cache table (L2) → civil-registry upstream"): the last verdict of the upstream for
-- each (RUN, document serial) asked about. Written by identity/cache-store.ts through its own
-- read-write connection (the register store's connection is read-only); a row is served as fresh
-- for RIS_IDENTITY_L2_FRESH_SECONDS after verified_at, and older rows only while the upstream is
-- unavailable. Negative verdicts are kept too: asking again would give the same answer.

CREATE TABLE identity_cache (
  run INTEGER NOT NULL,                  -- RUN body (check digit implied), as in civil_identity
  document_serial TEXT NOT NULL,         -- nine digits, no dots
  valid INTEGER NOT NULL CHECK (valid IN (0, 1)),
  reason TEXT CHECK (reason IN ('RUN_NOT_FOUND', 'SERIAL_MISMATCH', 'DOCUMENT_BLOCKED', 'DOCUMENT_EXPIRED')),
  verified_at TEXT NOT NULL,             -- ISO timestamp (UTC) of the upstream's answer
  PRIMARY KEY (run, document_serial),
  CHECK ((valid = 1) = (reason IS NULL))
) WITHOUT ROWID;
CREATE INDEX identity_cache_verified ON identity_cache (verified_at);  -- monthly reconciliation, purges
