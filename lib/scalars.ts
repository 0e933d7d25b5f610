import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { badInput } from './errors';
import { describe, parseRun, RunFormatError } from './run';
import { isoFromNumber, numberFromIso } from './dates';

/**
 * The two custom scalars of the contract, shared by every subgraph.
 * RUN: internal value is the normalised string "12345678-5".
 * Date: internal value is the register's number YYYYMMDD; clients see ISO "YYYY-MM-DD".
 */

function runFrom(value: unknown): string {
  try {
    return parseRun(value);
  } catch (error) {
    if (error instanceof RunFormatError) throw badInput(error.message);
    throw error;
  }
}

function literal(ast: ValueNode, what: string): unknown {
  if (ast.kind === Kind.STRING) return ast.value;
  throw badInput(`expected ${what} as a string, got a ${ast.kind.toLowerCase().replace('value', '')} literal`);
}

export const RunScalar = new GraphQLScalarType<string, string>({
  name: 'RUN',
  description: 'Rol Único Nacional: accepted as "12.345.678-5", "12345678-5" or "123456785"; returned as "12345678-5".',
  serialize: (value) => runFrom(value),
  parseValue: (value) => runFrom(value),
  parseLiteral: (ast) => runFrom(literal(ast, 'a RUN like "12.345.678-5"')),
});

function dateFrom(value: unknown): number {
  const parsed = typeof value === 'string' ? numberFromIso(value) : null;
  if (parsed === null) throw badInput(`expected a date as "YYYY-MM-DD" (e.g. "2024-03-31"), got ${describe(value)}`);
  return parsed;
}

export const DateScalar = new GraphQLScalarType<number, string>({
  name: 'Date',
  description: 'ISO calendar date "YYYY-MM-DD" (stored as the number YYYYMMDD).',
  serialize: (value) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new TypeError(`Date.serialize: expected a YYYYMMDD number from the store, got ${describe(value)}`);
    }
    return isoFromNumber(value);
  },
  parseValue: (value) => dateFrom(value),
  parseLiteral: (ast) => dateFrom(literal(ast, 'a date "YYYY-MM-DD"')),
});
