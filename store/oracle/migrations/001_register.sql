-- The logical model of the register in Oracle, table for table the same as
-- store/sqlite/migrations/001_register.sql (read that file for what each table and column means).
-- Conventions: a RUN is its numeric body NUMBER(8) (the check digit is derived, never stored);
-- dates are NUMBER(8) YYYYMMDD and payroll periods NUMBER(6) YYYYMM, as in the RSH exchange files;
-- booleans are NUMBER(1) 0/1; text is VARCHAR2 with CHAR length semantics (names carry accents).
-- Every index serves one lookup of store/oracle/sql.ts, named beside it.
--
-- File format (store/oracle/migrate.ts): statements are separated by a line holding only "/".
-- A plain SQL statement has no trailing ";" (the driver rejects it); a PL/SQL block ends in "END;".

CREATE TABLE region (
  code VARCHAR2(8 CHAR) PRIMARY KEY,                     -- "13"
  name VARCHAR2(100 CHAR) NOT NULL
)
/
CREATE TABLE commune (
  code VARCHAR2(8 CHAR) PRIMARY KEY,                     -- CUT, "13101"
  name VARCHAR2(100 CHAR) NOT NULL,
  province_code VARCHAR2(8 CHAR) NOT NULL,
  province_name VARCHAR2(100 CHAR) NOT NULL,
  region_code VARCHAR2(8 CHAR) NOT NULL REFERENCES region (code)
)
/
CREATE TABLE person (
  run NUMBER(8) PRIMARY KEY,                             -- personsByRun, communesByRun
  given_names VARCHAR2(100 CHAR) NOT NULL,
  paternal_surname VARCHAR2(100 CHAR) NOT NULL,
  maternal_surname VARCHAR2(100 CHAR),
  birth_date NUMBER(8),
  sex VARCHAR2(1 CHAR) CHECK (sex IN ('F', 'M')),
  nationality VARCHAR2(60 CHAR),
  deceased NUMBER(1) DEFAULT 0 NOT NULL CHECK (deceased IN (0, 1)),
  street VARCHAR2(200 CHAR),
  street_number VARCHAR2(20 CHAR),
  unit VARCHAR2(60 CHAR),
  commune_code VARCHAR2(8 CHAR) REFERENCES commune (code),
  email VARCHAR2(254 CHAR),
  phone VARCHAR2(30 CHAR)
)
/
CREATE TABLE household (
  id NUMBER(12) PRIMARY KEY,                             -- householdsById, communesByHousehold
  cse_bracket NUMBER(3) CHECK (cse_bracket IN (40, 50, 60, 70, 80, 90, 100)),
  street VARCHAR2(200 CHAR),
  street_number VARCHAR2(20 CHAR),
  unit VARCHAR2(60 CHAR),
  commune_code VARCHAR2(8 CHAR) NOT NULL REFERENCES commune (code),
  registered_on NUMBER(8),
  updated_on NUMBER(8)
)
/
CREATE INDEX household_commune ON household (commune_code, id)          -- householdsInCommune (keyset)
/
CREATE TABLE household_member (
  household_id NUMBER(12) NOT NULL REFERENCES household (id),
  run NUMBER(8) NOT NULL REFERENCES person (run),
  relationship VARCHAR2(20 CHAR) NOT NULL,               -- HEAD, SPOUSE_OR_PARTNER, ... (one HEAD per household)
  ordinal NUMBER(3) NOT NULL,                            -- order of the member in the household form
  PRIMARY KEY (household_id, ordinal)                    -- membersByHouseholdId, household size
)
/
CREATE UNIQUE INDEX household_member_run ON household_member (run)     -- membershipsByRun
/
CREATE TABLE disability_record (
  run NUMBER(8) PRIMARY KEY,                             -- disabilityByRun
  degree VARCHAR2(20 CHAR) NOT NULL,
  registered_on NUMBER(8) NOT NULL,
  source VARCHAR2(60 CHAR) NOT NULL,
  as_of NUMBER(8) NOT NULL
)
/
CREATE TABLE indigenous_record (
  run NUMBER(8) PRIMARY KEY,                             -- indigenousByRun
  people VARCHAR2(60 CHAR) NOT NULL,
  accredited_on NUMBER(8) NOT NULL,
  source VARCHAR2(60 CHAR) NOT NULL,
  as_of NUMBER(8) NOT NULL
)
/
CREATE TABLE health_insurance (
  run NUMBER(8) PRIMARY KEY,                             -- healthInsuranceByRun
  insurer VARCHAR2(20 CHAR) NOT NULL,
  bracket VARCHAR2(2 CHAR),
  source VARCHAR2(60 CHAR) NOT NULL,
  as_of NUMBER(8) NOT NULL
)
/
CREATE TABLE street_situation_record (
  run NUMBER(8) PRIMARY KEY,                             -- streetSituationByRun
  since NUMBER(8) NOT NULL,
  commune_code VARCHAR2(8 CHAR) NOT NULL REFERENCES commune (code),
  source VARCHAR2(60 CHAR) NOT NULL,
  as_of NUMBER(8) NOT NULL
)
/
CREATE TABLE emergency_record (
  id NUMBER(12) PRIMARY KEY,
  run NUMBER(8) NOT NULL,
  event VARCHAR2(200 CHAR) NOT NULL,
  occurred_on NUMBER(8) NOT NULL,
  commune_code VARCHAR2(8 CHAR) NOT NULL REFERENCES commune (code),
  source VARCHAR2(60 CHAR) NOT NULL,
  as_of NUMBER(8) NOT NULL
)
/
CREATE INDEX emergency_record_run ON emergency_record (run, occurred_on)  -- emergencyRecordsByRun
/
CREATE TABLE civil_identity (
  run NUMBER(8) PRIMARY KEY,
  document_serial VARCHAR2(20 CHAR) NOT NULL,
  document_status VARCHAR2(10 CHAR) NOT NULL,            -- VALID, EXPIRED, BLOCKED
  expires_on NUMBER(8) NOT NULL
)
/
CREATE TABLE program (
  code VARCHAR2(40 CHAR) PRIMARY KEY,                    -- programsByCode
  name VARCHAR2(200 CHAR) NOT NULL,
  ministry VARCHAR2(120 CHAR) NOT NULL
)
/
CREATE INDEX program_ministry ON program (ministry, code)               -- programs(ministry)
/
CREATE TABLE program_target_group (
  program_code VARCHAR2(40 CHAR) NOT NULL REFERENCES program (code),
  target_group VARCHAR2(60 CHAR) NOT NULL,
  PRIMARY KEY (program_code, target_group)               -- targetGroupsByProgram
)
/
CREATE TABLE benefit_grant (
  id NUMBER(12) PRIMARY KEY,
  run NUMBER(8) NOT NULL,
  program_code VARCHAR2(40 CHAR) NOT NULL REFERENCES program (code),
  status VARCHAR2(12 CHAR) NOT NULL,                     -- ACTIVE, SUSPENDED, ENDED
  granted_on NUMBER(8) NOT NULL,
  ended_on NUMBER(8),
  amount NUMBER(12)
)
/
CREATE INDEX benefit_grant_run ON benefit_grant (run, granted_on)       -- grantsByRun
/
CREATE TABLE subsystem_membership (
  run NUMBER(8) PRIMARY KEY,                             -- subsystemByRun
  subsystem VARCHAR2(40 CHAR) NOT NULL,
  since NUMBER(8) NOT NULL,
  active NUMBER(1) NOT NULL CHECK (active IN (0, 1))
)
/
CREATE TABLE payment (
  id NUMBER(12) PRIMARY KEY,
  period NUMBER(6) NOT NULL,                             -- YYYYMM
  program_code VARCHAR2(40 CHAR) NOT NULL REFERENCES program (code),
  household_id NUMBER(12),
  payee_run NUMBER(8),
  commune_code VARCHAR2(8 CHAR) NOT NULL,
  individual_amount NUMBER(12) NOT NULL,
  total_amount NUMBER(12) NOT NULL,
  method VARCHAR2(20 CHAR) NOT NULL,                     -- BANK_ACCOUNT, CASH_AT_COUNTER
  bank VARCHAR2(60 CHAR)
)
/
CREATE INDEX payment_payee ON payment (payee_run, period)              -- paymentsByPayee
/
CREATE INDEX payment_household ON payment (household_id, period)       -- paymentsByHousehold
/
CREATE TABLE register_meta (
  key VARCHAR2(60 CHAR) PRIMARY KEY,
  value VARCHAR2(400 CHAR) NOT NULL
)
/
