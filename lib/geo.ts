import type { AddressColumns, CommuneRow, RegionRow, Store } from '../store/types';

/**
 * Territorial reference data (16 regions, 346 communes): small and static, so each process reads it
 * whole once at start-up instead of per request. Also the resolvers of the shared value types
 * Address, Commune and Region, which every subgraph that returns an address resolves locally.
 */

export interface Geography {
  commune(code: string): CommuneRow | undefined;
  region(code: string): RegionRow | undefined;
}

export async function loadGeography(store: Store): Promise<Geography> {
  const communes = new Map((await store.communes()).map((row) => [row.code, row]));
  const regions = new Map((await store.regions()).map((row) => [row.code, row]));
  return { commune: (code) => communes.get(code), region: (code) => regions.get(code) };
}

/** What an Address field resolves to: the address columns of a person, household or payment row. */
export interface AddressValue {
  street: string | null;
  number: string | null;
  unit: string | null;
  communeCode: string;
}

/** The Address of a row, or null when the row records no commune (no address declared). */
export function addressOf(row: AddressColumns): AddressValue | null {
  if (row.communeCode === null) return null;
  return { street: row.street, number: row.streetNumber, unit: row.unit, communeCode: row.communeCode };
}

interface GeoContext {
  geography: Geography;
}

/** Resolves a commune code that the store holds; an unknown one is a data fault, not a client error. */
export function communeByCode(code: string, context: GeoContext): CommuneRow {
  const commune = context.geography.commune(code);
  if (!commune) throw new Error(`data fault: commune code ${code} is not in the commune table`);
  return commune;
}

/** Resolvers for the shared value types; each subgraph merges in the ones its schema declares. */
export const addressResolvers = {
  Address: {
    commune: (address: AddressValue, _args: unknown, context: GeoContext) => communeByCode(address.communeCode, context),
  },
};

export const communeResolvers = {
  Commune: {
    province: (commune: CommuneRow) => commune.provinceName,
    region: (commune: CommuneRow, _args: unknown, context: GeoContext) => {
      const region = context.geography.region(commune.regionCode);
      if (!region) throw new Error(`data fault: region code ${commune.regionCode} is not in the region table`);
      return region;
    },
  },
};
