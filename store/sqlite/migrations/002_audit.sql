-- The audit trail (DESIGN.md §6; audit/types.ts is the contract, audit/chain.ts the hash format).
-- Append-only and hash-chained: `hash` is SHA-256 over the record's content, seq, at and
-- prev_hash (audit/chain.ts canonicalRecord); `prev_hash` is the predecessor's hash, 64 zeros for
-- the first record. Writers (audit/sqlite.ts) append under BEGIN IMMEDIATE so the chain stays
-- linear across the router and subgraph processes sharing this file.

CREATE TABLE audit_record (
  seq INTEGER PRIMARY KEY,               -- 1, 2, 3 ... with no gaps: a gap is a deleted record
  at TEXT NOT NULL,                      -- ISO timestamp (UTC) of writing
  kind TEXT NOT NULL CHECK (kind IN ('operation', 'access')),
  process TEXT NOT NULL,                 -- router | persons | households | registers | benefits
  request_id TEXT NOT NULL,
  agreement_id TEXT,                     -- null when the request was not authenticated
  agreement_version INTEGER,
  institution TEXT,
  end_user TEXT,                         -- normalised RUN of the official
  purpose TEXT,
  case_ref TEXT,
  operation_name TEXT,                   -- operation records only
  operation_hash TEXT,                   -- operation records only: SHA-256 of the operation text
  outcome TEXT NOT NULL,                 -- "ok" or the error codes, comma-separated
  duration_ms REAL,                      -- operation records only
  runs TEXT,                             -- access records only: JSON array of normalised RUNs
  household_ids TEXT,                    -- access records only: JSON array of household ids
  coordinates TEXT,                      -- access records only: JSON array of schema coordinates
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_record_request ON audit_record (request_id, seq);  -- records of one request

-- "Who consulted RUN X": one row per (RUN body, access record), written in the same transaction
-- as the record. An indexed side table answers in O(log n + hits); LIKE or json_each over the
-- runs column would scan the whole trail (millions of records a day) for every question. It is a
-- derived index, not chained itself: audit/verify.ts checks it against the chained runs column,
-- so deleting a row here to hide a consultation is detected too.
CREATE TABLE audit_run (
  run INTEGER NOT NULL,                  -- RUN body (the check digit is derived)
  seq INTEGER NOT NULL REFERENCES audit_record(seq),
  PRIMARY KEY (run, seq)
) WITHOUT ROWID;

-- The end of the chain: seq and hash of the last record appended, updated in the same
-- transaction. Without it, deleting the last records would leave a shorter chain that is still
-- internally consistent; with it, such truncation shows as a head that no record matches.
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
