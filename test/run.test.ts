import { checkDigit, formatRun, parseRun } from '../lib/run';

test('checkDigit computes the módulo-11 check digit, including 0 and K', () => {
  expect([12345678, 11111111, 10000013, 6, 100].map(checkDigit)).toEqual(['5', '1', 'K', 'K', '7']);
});

test('parseRun normalises the written forms of one RUN to 12345678-5', () => {
  expect(['12.345.678-5', '12345678-5', '123456785', ' 12345678-5 '].map(parseRun)).toEqual(Array(4).fill('12345678-5'));
});

test('formatRun writes a body with its check digit', () => {
  expect([12345678, 10000013, 1].map(formatRun)).toEqual(['12345678-5', '10000013-K', '1-9']);
});
