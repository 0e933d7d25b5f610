-- The audit trail, table for table the same as store/sqlite/migrations/002_audit.sql (read that
-- file and audit/chain.ts for the chaining rules). Differences forced by Oracle: the JSON array
-- columns are CLOB (a batch of 1,000 RUNs exceeds VARCHAR2's 4,000 bytes), duration_ms is
-- BINARY_DOUBLE so the value hashed is the exact double that was written, and audit_run is an
-- index-organized table (Oracle's equivalent of SQLite's WITHOUT ROWID).
--
-- File format: statements separated by a line holding only "/" (see 001_register.sql).

CREATE TABLE audit_record (
  seq NUMBER(19) PRIMARY KEY,                            -- 1, 2, 3 ... with no gaps
  at VARCHAR2(40 CHAR) NOT NULL,                         -- ISO timestamp (UTC) of writing
  kind VARCHAR2(10 CHAR) NOT NULL CHECK (kind IN ('operation', 'access')),
  process VARCHAR2(20 CHAR) NOT NULL,
  request_id VARCHAR2(200 CHAR) NOT NULL,
  agreement_id VARCHAR2(100 CHAR),
  agreement_version NUMBER(10),
  institution VARCHAR2(200 CHAR),
  end_user VARCHAR2(12 CHAR),
  purpose VARCHAR2(100 CHAR),
  case_ref VARCHAR2(200 CHAR),
  operation_name VARCHAR2(200 CHAR),
  operation_hash VARCHAR2(64 CHAR),
  outcome VARCHAR2(400 CHAR) NOT NULL,
  duration_ms BINARY_DOUBLE,
  runs CLOB,
  household_ids CLOB,
  coordinates CLOB,
  prev_hash VARCHAR2(64 CHAR) NOT NULL,
  hash VARCHAR2(64 CHAR) NOT NULL
)
/
CREATE INDEX audit_record_request ON audit_record (request_id, seq)    -- records of one request
/
CREATE TABLE audit_run (
  run NUMBER(8) NOT NULL,                                -- RUN body; "who consulted RUN X"
  seq NUMBER(19) NOT NULL REFERENCES audit_record (seq),
  PRIMARY KEY (run, seq)
) ORGANIZATION INDEX
/
CREATE TABLE audit_head (
  id NUMBER(1) PRIMARY KEY CHECK (id = 1),
  seq NUMBER(19) NOT NULL,
  hash VARCHAR2(64 CHAR) NOT NULL
)
/
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')
/
