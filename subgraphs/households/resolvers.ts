import { addressOf, addressResolvers, communeResolvers } from '../../lib/geo';
import { badInput } from '../../lib/errors';
import { householdIdFromInput, runFromInput } from '../../lib/resolve';
import { describe } from '../../lib/run';
import type { SubgraphContext } from '../../lib/subgraph';
import type { HouseholdRow } from '../../store/types';
import type { HouseholdsLoaders } from './loaders';

type Context = SubgraphContext<HouseholdsLoaders>;

/** Page size bounds of householdsInCommune. */
export const MAX_PAGE = 500;

const CURSOR_PREFIX = 'household:';

/** Opaque cursor of a household in a commune listing (the listing is ordered by id). */
export function cursorOf(id: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${id}`).toString('base64url');
}

function afterIdFrom(cursor: string | null | undefined): number | null {
  if (cursor === null || cursor === undefined) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : NaN;
  if (!Number.isSafeInteger(id) || id < 0) {
    throw badInput(`expected \`after\` to be a cursor returned by householdsInCommune (pageInfo.endCursor), got ${describe(cursor)}`);
  }
  return id;
}

interface PersonReference {
  run: string;
}

export const resolvers = {
  Query: {
    household: async (_: unknown, args: { id: string }, { loaders, access }: Context) =>
      access.householdRow(await loaders.householdById.load(householdIdFromInput(args.id))),
    householdsInCommune: async (
      _: unknown,
      args: { communeCode: string; first?: number | null; after?: string | null },
      { store, geography, access }: Context,
    ) => {
      if (!geography.commune(args.communeCode)) {
        throw badInput(`expected communeCode to be a commune CUT code of five digits like "13101", got ${describe(args.communeCode)}`);
      }
      const first = args.first ?? 50;
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
        throw badInput(`expected \`first\` from 1 to ${MAX_PAGE}, got ${first}`);
      }
      const afterId = afterIdFrom(args.after);
      // Outside the caller's communes a commune looks like one with no households at all.
      if (!access.allowsCommune(args.communeCode)) return { edges: [], pageInfo: { endCursor: null, hasNextPage: false }, totalCount: 0 };
      const page = await store.householdsInCommune(args.communeCode, first, afterId);
      const edges = page.rows.map((row) => ({ cursor: cursorOf(row.id), node: access.householdRow(row) as HouseholdRow }));
      return {
        edges,
        pageInfo: { endCursor: edges.length ? edges[edges.length - 1].cursor : null, hasNextPage: page.hasNextPage },
        totalCount: page.totalCount,
      };
    },
  },
  Household: {
    __resolveReference: async (reference: { id: unknown }, { loaders, access }: Context) =>
      access.householdRow(await loaders.householdById.load(householdIdFromInput(reference.id))),
    address: (household: HouseholdRow) => addressOf(household),
    // Members share the household's commune, so a visible household's members are visible;
    // their RUNs leave this subgraph and are recorded for the audit.
    members: async (household: HouseholdRow, _: unknown, { loaders, access }: Context) =>
      (await loaders.membersByHouseholdId.load(household.id)).map((member) => {
        access.runs.add(member.run);
        return { person: { run: member.run }, relationship: member.relationship };
      }),
    head: async (household: HouseholdRow, _: unknown, { loaders, access }: Context) => {
      const head = (await loaders.membersByHouseholdId.load(household.id)).find((m) => m.relationship === 'HEAD');
      if (!head) return null;
      access.runs.add(head.run);
      return { run: head.run };
    },
  },
  Person: {
    __resolveReference: async (reference: { run: unknown }, { access }: Context): Promise<PersonReference | null> => {
      const run = runFromInput(reference.run);
      return (await access.person(run)) ? { run } : null;
    },
    household: async (person: PersonReference, _: unknown, { loaders, access }: Context) => {
      const membership = await loaders.membershipByRun.load(person.run);
      return membership ? access.householdRow(await loaders.householdById.load(membership.householdId)) : null;
    },
  },
  ...addressResolvers,
  ...communeResolvers,
};
