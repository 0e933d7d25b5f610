import { randomUUID } from 'node:crypto';
import { signContext, CONTEXT_HEADER } from '../../authz/context';
import { DEVELOPMENT_CONTEXT_SECRET } from '../../lib/config';

/**
 * The operations and credentials the scenarios send. Every request goes out as the demo internal
 * agreement (mds-internal: every field, every commune), as an internal ministry app would.
 */

/** What a partner of the internal agreement sends to the router. */
export const ROUTER_HEADERS: Readonly<Record<string, string>> = {
  authorization: 'Bearer demo-mds-internal',
  'x-ris-purpose': 'GESTION-BENEFICIOS',
  'x-ris-end-user': '11111111-1',
};

/** `person(run)`: master data and address, all served by the persons subgraph (one subgraph fetch). */
export const PERSON_QUERY = `query Person($run: RUN!) {
  person(run: $run) {
    run givenNames paternalSurname maternalSurname birthDate age sex nationality deceased
    address { street number unit commune { code name province region { code name } } }
    contact { email phone }
  }
}`;

/** The whole household graph across the four subgraphs (README "HouseholdGraph", plus the rest of each record). */
export const HOUSEHOLD_GRAPH_QUERY = `query HouseholdGraph($id: ID!) {
  household(id: $id) {
    id cseBracket size registeredOn updatedOn
    address { street number unit commune { code name region { name } } }
    head { run }
    members {
      relationship
      person {
        run givenNames paternalSurname maternalSurname birthDate sex
        disability { degree source asOf }
        indigenousStatus { people }
        healthInsurance { insurer bracket }
        streetSituation { since }
        emergencyRecords { event occurredOn commune { code } }
        benefits { program { code name } status grantedOn amount }
        subsystemMembership { subsystem since active }
      }
    }
    payments(from: "2025-01-01", to: "2025-06-30") { period program { code name } totalAmount payee { run } method }
  }
}`;

/** `persons(runs:)` with the batch limit of 1,000 RUNs: master data, from the persons subgraph. */
export const PERSONS_QUERY = `query Persons($runs: [RUN!]!) {
  persons(runs: $runs) { run givenNames paternalSurname maternalSurname birthDate sex address { commune { code } } }
}`;

export const body = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });

/**
 * Signed contexts for calls that bypass the router (S1 direct, S4 in-process): the router's own
 * signContext with the development secret, as mds-internal version 1 with the same purpose and
 * end user, each with its own request id. Signed ahead (`count` of them, valid `ttlSeconds`) and
 * rotated, so the direct path pays the subgraph's verification of a context but not the
 * router's signing (which is router work).
 */
export async function presignedContexts(count: number, ttlSeconds: number, agreementVersion = 1): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    tokens.push(
      await signContext(
        { agreementId: 'mds-internal', agreementVersion, purpose: 'GESTION-BENEFICIOS', endUser: '11111111-1', caseRef: null, requestId: randomUUID() },
        DEVELOPMENT_CONTEXT_SECRET,
        ttlSeconds,
      ),
    );
  }
  return tokens;
}

export { CONTEXT_HEADER };
