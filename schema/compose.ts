import fs from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse, type GraphQLError } from 'graphql';
import YAML from 'yaml';
import { fromRoot } from '../lib/paths';

/**
 * Composes the subgraph SDLs listed in `supergraph.yaml` (rover's supergraph config format) into
 * the supergraph SDL with @apollo/composition, the library rover itself runs. The result is
 * committed as `schema/supergraph.graphql`; `test/compose.test.ts` fails when it is stale.
 *
 * Note: rover's `federation_version` picks a composition release; here the installed
 * @apollo/composition is the one that composes, so the field is read only to report it.
 */

export const SUPERGRAPH_CONFIG = fromRoot('supergraph.yaml');
export const SUPERGRAPH_FILE = fromRoot('schema', 'supergraph.graphql');

export interface SubgraphEntry {
  name: string;
  routingUrl: string;
  /** Absolute path of the subgraph's SDL file. */
  schemaFile: string;
}

export interface SupergraphConfig {
  federationVersion: string | undefined;
  subgraphs: SubgraphEntry[];
}

export class CompositionError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(`composition failed with ${errors.length} error(s):\n${errors.map((line) => `  - ${line}`).join('\n')}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads rover's supergraph config; refuses any entry without `routing_url` and `schema.file`. */
export function readSupergraphConfig(file: string = SUPERGRAPH_CONFIG): SupergraphConfig {
  const doc: unknown = YAML.parse(fs.readFileSync(file, 'utf8'));
  if (!isRecord(doc) || !isRecord(doc.subgraphs)) {
    throw new Error(`${file}: expected a mapping with a "subgraphs" mapping, got ${JSON.stringify(doc)}`);
  }
  const base = path.dirname(file);
  const subgraphs = Object.entries(doc.subgraphs).map(([name, entry]): SubgraphEntry => {
    const where = `${file}: subgraphs.${name}`;
    if (!isRecord(entry) || typeof entry.routing_url !== 'string') {
      throw new Error(`${where}: expected "routing_url: http://…/graphql", got ${JSON.stringify(entry)}`);
    }
    if (!isRecord(entry.schema) || typeof entry.schema.file !== 'string') {
      throw new Error(`${where}: expected "schema: { file: ./path/schema.graphql }", got ${JSON.stringify(entry.schema)}`);
    }
    return { name, routingUrl: entry.routing_url, schemaFile: path.resolve(base, entry.schema.file) };
  });
  const version = doc.federation_version;
  return { federationVersion: version === undefined ? undefined : String(version), subgraphs };
}

function describeError(error: GraphQLError): string {
  const code = error.extensions?.code;
  return `[${typeof code === 'string' ? code : 'UNKNOWN'}] ${error.message}`;
}

/**
 * Composes the subgraphs of `supergraph.yaml`. Returns the supergraph SDL and the composition
 * hints as "[CODE] message" lines; throws CompositionError listing every error as "[CODE] message".
 */
export function composeSupergraph(configFile: string = SUPERGRAPH_CONFIG): { supergraphSdl: string; hints: string[] } {
  const config = readSupergraphConfig(configFile);
  const services = config.subgraphs.map((subgraph) => {
    const sdl = fs.readFileSync(subgraph.schemaFile, 'utf8');
    try {
      return { name: subgraph.name, url: subgraph.routingUrl, typeDefs: parse(sdl) };
    } catch (error) {
      throw new CompositionError([`[INVALID_GRAPHQL] ${subgraph.schemaFile}: ${error instanceof Error ? error.message : String(error)}`]);
    }
  });
  const result = composeServices(services);
  if (result.errors) throw new CompositionError(result.errors.map(describeError));
  return {
    supergraphSdl: result.supergraphSdl,
    hints: result.hints.map((hint) => `[${hint.definition.code}] ${hint.message}`),
  };
}

/** `npm run compose`: writes schema/supergraph.graphql, prints hints; exits 1 on errors. */
function main(): void {
  try {
    const { supergraphSdl, hints } = composeSupergraph();
    for (const hint of hints) console.log(`hint: ${hint}`);
    fs.writeFileSync(SUPERGRAPH_FILE, supergraphSdl);
    console.log(`composed ${path.relative(process.cwd(), SUPERGRAPH_FILE) || SUPERGRAPH_FILE} (${hints.length} hint(s))`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}

if (require.main === module) main();
