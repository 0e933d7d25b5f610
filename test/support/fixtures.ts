import type Database from 'better-sqlite3';

/**
 * Adds one household of `size` members to a generated register, for tests that need a size the
 * generator rarely draws (e.g. 20). Members are copies of existing persons under new RUN bodies
 * (from 90,000,000 up), with every sectoral register, grant and subsystem row of the person
 * copied, and the payments of the source household copied to the new one. Returns the new id.
 */
export function addHousehold(db: Database.Database, size: number): number {
  const id = (db.prepare('SELECT max(id) + 1 AS id FROM household').get() as { id: number }).id;
  const source = (db.prepare('SELECT household_id AS id FROM payment ORDER BY household_id LIMIT 1').get() as { id: number }).id;
  const firstBody = 90_000_000 + id * 100;
  const donors = (db.prepare('SELECT run FROM person WHERE run IN (SELECT run FROM disability_record UNION SELECT run FROM emergency_record UNION SELECT run FROM benefit_grant) ORDER BY run LIMIT ?').all(size) as { run: number }[]).map((r) => r.run);
  if (donors.length < size) throw new Error(`test fixture: only ${donors.length} donor persons for a household of ${size}`);
  const copyRow = (table: string, columns: string, from: number, to: number) =>
    db.prepare(`INSERT INTO ${table} (run, ${columns}) SELECT ?, ${columns} FROM ${table} WHERE run = ?`).run(to, from);
  db.transaction(() => {
    db.prepare(`INSERT INTO household (id, cse_bracket, street, street_number, unit, commune_code, registered_on, updated_on)
      SELECT ?, cse_bracket, street, street_number, unit, commune_code, registered_on, updated_on FROM household WHERE id = ?`).run(id, source);
    donors.forEach((donor, i) => {
      const body = firstBody + i;
      db.prepare(`INSERT INTO person (run, given_names, paternal_surname, maternal_surname, birth_date, sex, nationality, deceased,
          street, street_number, unit, commune_code, email, phone)
        SELECT ?, p.given_names, p.paternal_surname, p.maternal_surname, p.birth_date, p.sex, p.nationality, p.deceased,
          h.street, h.street_number, h.unit, h.commune_code, p.email, p.phone
        FROM person p, household h WHERE p.run = ? AND h.id = ?`).run(body, donor, id);
      db.prepare('INSERT INTO household_member (household_id, run, relationship, ordinal) VALUES (?, ?, ?, ?)')
        .run(id, body, i === 0 ? 'HEAD' : i === 1 ? 'SPOUSE_OR_PARTNER' : 'CHILD', i + 1);
      copyRow('disability_record', 'degree, registered_on, source, as_of', donor, body);
      copyRow('indigenous_record', 'people, accredited_on, source, as_of', donor, body);
      copyRow('health_insurance', 'insurer, bracket, source, as_of', donor, body);
      copyRow('street_situation_record', 'since, commune_code, source, as_of', donor, body);
      copyRow('emergency_record', 'event, occurred_on, commune_code, source, as_of', donor, body);
      copyRow('benefit_grant', 'program_code, status, granted_on, ended_on, amount', donor, body);
      copyRow('subsystem_membership', 'subsystem, since, active', donor, body);
    });
    db.prepare(`INSERT INTO payment (period, program_code, household_id, payee_run, commune_code, individual_amount, total_amount, method, bank)
      SELECT period, program_code, ?, ?, commune_code, individual_amount, total_amount, method, bank FROM payment WHERE household_id = ?`)
      .run(id, firstBody, source);
  })();
  return id;
}
