import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { AgreementRegistry } from '../authz/types';

/**
 * The partner developer's IDE: GraphiQL, served by the router at GET `/` to browsers. The page is
 * self-contained (@graphql-yoga/render-graphiql inlines GraphiQL's scripts, styles and workers), so
 * it works without internet; it opens with one tab per example operation, filled in with example
 * records from the register.
 */

export interface IdeExamples {
  /** A RUN in normal form, "12345678-5", of a person who belongs to a household. */
  run: string;
  /** The id of a household. */
  householdId: string;
}

export interface IdeTab {
  query: string;
  variables: string;
  headers?: string;
}

const RUN_FORM = /^\d{1,8}-[\dK]$/;
const HOUSEHOLD_ID_FORM = /^[A-Za-z0-9_.:-]{1,64}$/;
const PURPOSE_CODE_FORM = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Refuses examples that are not a normal-form RUN and a plain id: they are written into a script
 * element of the page, so only these safe forms are accepted.
 */
export function checkExamples(examples: IdeExamples): IdeExamples {
  if (!RUN_FORM.test(examples.run)) {
    throw new Error(`IDE example RUN: expected the normal form like "12345678-5", got ${JSON.stringify(examples.run)}`);
  }
  if (!HOUSEHOLD_ID_FORM.test(examples.householdId)) {
    throw new Error(`IDE example household id: expected 1 to 64 letters, digits or _.:-, got ${JSON.stringify(examples.householdId)}`);
  }
  return examples;
}

/**
 * The example operations, in the order partners ask for the data: household composition, CSE
 * bracket, address, Seguridades y Oportunidades membership, then a whole household graph that
 * spans the four subgraphs. Every operation is valid against the committed supergraph (tested).
 */
export function ideExamples(examples: IdeExamples): IdeTab[] {
  const { run, householdId } = checkExamples(examples);
  const byRun = JSON.stringify({ run }, null, 2);
  return [
    {
      query: `# Composición del hogar: the members of a person's household and their relationship (parentesco) to the head.
query HouseholdComposition($run: RUN!) {
  person(run: $run) {
    run
    givenNames
    paternalSurname
    household {
      id
      size
      members {
        relationship
        person {
          run
          givenNames
          paternalSurname
          maternalSurname
          birthDate
          age
          sex
        }
      }
    }
  }
}
`,
      variables: byRun,
    },
    {
      query: `# Tramo de Calificación Socioeconómica (CSE) of a person's household: 40 is the most vulnerable band.
query CseBracket($run: RUN!) {
  person(run: $run) {
    run
    household {
      id
      cseBracket
      size
      updatedOn
    }
  }
}
`,
      variables: byRun,
    },
    {
      query: `# Domicilio: the address declared in the RSH form, with its commune (CUT), province and region.
query Address($run: RUN!) {
  person(run: $run) {
    run
    address {
      street
      number
      unit
      commune {
        code
        name
        province
        region {
          code
          name
        }
      }
    }
  }
}
`,
      variables: byRun,
    },
    {
      query: `# Subsistema Seguridades y Oportunidades (or Chile Solidario): null when the person takes no part.
query SubsystemMembership($run: RUN!) {
  person(run: $run) {
    run
    subsystemMembership {
      subsystem
      since
      active
    }
  }
}
`,
      variables: byRun,
    },
    {
      query: `# The household graph in one round trip: person (persons) → household (households) → members with
# their sectoral registers (registers), benefits and payments (benefits); and a household by its id.
query HouseholdGraph($run: RUN!, $householdId: ID!) {
  person(run: $run) {
    run
    givenNames
    paternalSurname
    household {
      id
      cseBracket
      address {
        street
        number
        commune {
          code
          name
        }
      }
      members {
        relationship
        person {
          run
          givenNames
          paternalSurname
          age
          disability {
            degree
            source
            asOf
          }
          indigenousStatus {
            people
            source
            asOf
          }
          healthInsurance {
            insurer
            bracket
            asOf
          }
          subsystemMembership {
            subsystem
            active
          }
          benefits {
            program {
              code
              name
            }
            status
            amount
          }
          payments {
            period
            program {
              name
            }
            totalAmount
            method
          }
        }
      }
      payments {
        period
        program {
          code
          name
        }
        totalAmount
      }
    }
  }
  household(id: $householdId) {
    id
    cseBracket
    size
    head {
      run
      givenNames
      paternalSurname
    }
  }
}
`,
      variables: JSON.stringify({ run, householdId }, null, 2),
    },
  ];
}

/** The published key of the demo internal agreement (DESIGN.md §5); valid only outside production. */
export const DEMO_IDE_KEY = 'demo-mds-internal';

/** The official the IDE's demo requests are made on behalf of: a well-formed, obviously fictitious RUN. */
export const DEMO_END_USER = '11111111-1';

/**
 * The headers the IDE opens with. In development, those of the demo internal agreement, so that
 * a newcomer's first query works: its key, its first purpose, a demo official. Only when the
 * registry holds that key under a demo agreement (never a real one); in production none.
 */
export function ideHeaders(registry: AgreementRegistry, production: boolean): Record<string, string> {
  if (production) return {};
  const found = registry.byApiKey(DEMO_IDE_KEY);
  const purpose = found?.agreement.purposes[0]?.code;
  // Written into a script element of the page, like the examples: only a plain code is accepted.
  if (!found || !found.agreement.demo || purpose === undefined || !PURPOSE_CODE_FORM.test(purpose)) return {};
  return {
    Authorization: `Bearer ${DEMO_IDE_KEY}`,
    'X-RIS-Purpose': purpose,
    'X-RIS-End-User': DEMO_END_USER,
  };
}

/**
 * The IDE page for the GraphQL endpoint `endpoint`. `headers` are shown in the headers editor of
 * every tab (e.g. a demo API key in development); none by default.
 */
export function renderIde(examples: IdeExamples, options: { endpoint?: string; headers?: Record<string, string> } = {}): string {
  const headers = JSON.stringify(options.headers ?? {}, null, 2);
  const tabs = ideExamples(examples).map((tab) => ({ ...tab, headers }));
  return renderGraphiQL({
    title: 'RIS Graph — Registro de Información Social',
    endpoint: options.endpoint ?? '/graphql',
    defaultTabs: tabs,
    defaultQuery: tabs[0].query,
    headers,
    shouldPersistHeaders: false,
    schemaDescription: true,
  });
}
