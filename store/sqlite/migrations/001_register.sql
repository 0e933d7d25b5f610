-- The logical model of the register, shared by every subgraph (see README "Data model").
-- Conventions: a RUN is stored as its numeric body (the check digit is derived, never stored);
-- dates are numbers YYYYMMDD and payroll periods numbers YYYYMM, as in the RSH exchange files.
-- Every index here serves one lookup the store makes; the lookup is named beside it.

CREATE TABLE region (
  code TEXT PRIMARY KEY,                 -- "13"
  name TEXT NOT NULL
);

CREATE TABLE commune (
  code TEXT PRIMARY KEY,                 -- CUT, "13101"
  name TEXT NOT NULL,
  province_code TEXT NOT NULL,
  province_name TEXT NOT NULL,
  region_code TEXT NOT NULL REFERENCES region(code)
);

CREATE TABLE person (
  run INTEGER PRIMARY KEY,               -- RUN body; personsByRun
  given_names TEXT NOT NULL,
  paternal_surname TEXT NOT NULL,
  maternal_surname TEXT,
  birth_date INTEGER,                    -- YYYYMMDD
  sex TEXT CHECK (sex IN ('F', 'M')),
  nationality TEXT,
  deceased INTEGER NOT NULL DEFAULT 0,
  street TEXT,
  street_number TEXT,
  unit TEXT,
  commune_code TEXT REFERENCES commune(code),
  email TEXT,
  phone TEXT
);

CREATE TABLE household (
  id INTEGER PRIMARY KEY,                -- householdsById
  cse_bracket INTEGER CHECK (cse_bracket IN (40, 50, 60, 70, 80, 90, 100)),
  street TEXT,
  street_number TEXT,
  unit TEXT,
  commune_code TEXT NOT NULL REFERENCES commune(code),
  registered_on INTEGER,
  updated_on INTEGER
);
CREATE INDEX household_commune ON household (commune_code, id);  -- householdsInCommune (keyset)

CREATE TABLE household_member (
  household_id INTEGER NOT NULL REFERENCES household(id),
  run INTEGER NOT NULL REFERENCES person(run),
  relationship TEXT NOT NULL,            -- HEAD, SPOUSE_OR_PARTNER, ... (one HEAD per household)
  ordinal INTEGER NOT NULL,              -- order of the member in the household form
  PRIMARY KEY (household_id, ordinal)    -- membersByHouseholdId
);
CREATE UNIQUE INDEX household_member_run ON household_member (run);  -- householdByMemberRun

CREATE TABLE disability_record (         -- Registro Nacional de la Discapacidad
  run INTEGER PRIMARY KEY,
  degree TEXT NOT NULL,                  -- MILD, MODERATE, SEVERE, PROFOUND
  registered_on INTEGER NOT NULL,
  source TEXT NOT NULL,
  as_of INTEGER NOT NULL
);

CREATE TABLE indigenous_record (         -- CONADI quality accreditation
  run INTEGER PRIMARY KEY,
  people TEXT NOT NULL,
  accredited_on INTEGER NOT NULL,
  source TEXT NOT NULL,
  as_of INTEGER NOT NULL
);

CREATE TABLE health_insurance (          -- FONASA bracket or ISAPRE / armed forces schemes
  run INTEGER PRIMARY KEY,
  insurer TEXT NOT NULL,                 -- FONASA, ISAPRE, CAPREDENA, DIPRECA
  bracket TEXT,                          -- A..D for FONASA
  source TEXT NOT NULL,
  as_of INTEGER NOT NULL
);

CREATE TABLE street_situation_record (   -- RSH Calle
  run INTEGER PRIMARY KEY,
  since INTEGER NOT NULL,
  commune_code TEXT NOT NULL REFERENCES commune(code),
  source TEXT NOT NULL,
  as_of INTEGER NOT NULL
);

CREATE TABLE emergency_record (           -- SISE: one row per person and event
  id INTEGER PRIMARY KEY,
  run INTEGER NOT NULL,
  event TEXT NOT NULL,
  occurred_on INTEGER NOT NULL,
  commune_code TEXT NOT NULL REFERENCES commune(code),
  source TEXT NOT NULL,
  as_of INTEGER NOT NULL
);
CREATE INDEX emergency_record_run ON emergency_record (run, occurred_on);  -- emergencyRecordsByRun

CREATE TABLE civil_identity (            -- Civil Registry identity document (source of the COW check)
  run INTEGER PRIMARY KEY,
  document_serial TEXT NOT NULL,
  document_status TEXT NOT NULL,         -- VALID, EXPIRED, BLOCKED
  expires_on INTEGER NOT NULL
);

CREATE TABLE program (                   -- programmes that use the RSH
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  ministry TEXT NOT NULL
);
CREATE INDEX program_ministry ON program (ministry, code);  -- programs(ministry)

CREATE TABLE program_target_group (
  program_code TEXT NOT NULL REFERENCES program(code),
  target_group TEXT NOT NULL,
  PRIMARY KEY (program_code, target_group)  -- targetGroupsByProgram
);

CREATE TABLE benefit_grant (
  id INTEGER PRIMARY KEY,
  run INTEGER NOT NULL,
  program_code TEXT NOT NULL REFERENCES program(code),
  status TEXT NOT NULL,                  -- ACTIVE, SUSPENDED, ENDED
  granted_on INTEGER NOT NULL,
  ended_on INTEGER,
  amount INTEGER
);
CREATE INDEX benefit_grant_run ON benefit_grant (run, granted_on);  -- grantsByRun

CREATE TABLE subsystem_membership (      -- Seguridades y Oportunidades / Chile Solidario
  run INTEGER PRIMARY KEY,
  subsystem TEXT NOT NULL,
  since INTEGER NOT NULL,
  active INTEGER NOT NULL
);

CREATE TABLE payment (                   -- one row of a monthly payroll sent to the IPS
  id INTEGER PRIMARY KEY,
  period INTEGER NOT NULL,               -- YYYYMM
  program_code TEXT NOT NULL REFERENCES program(code),
  household_id INTEGER,
  payee_run INTEGER,
  commune_code TEXT NOT NULL,
  individual_amount INTEGER NOT NULL,
  total_amount INTEGER NOT NULL,
  method TEXT NOT NULL,                  -- BANK_ACCOUNT, CASH_AT_COUNTER
  bank TEXT
);
CREATE INDEX payment_payee ON payment (payee_run, period);          -- paymentsByPayee
CREATE INDEX payment_household ON payment (household_id, period);   -- paymentsByHousehold

CREATE TABLE register_meta (             -- facts about this database (generator seed, size)
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
