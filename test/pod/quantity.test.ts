import { describe, expect, it } from 'vitest';
import { PluginError } from '../../src/errors.ts';
import {
  cpuLimitToQuota,
  cpuRequestToShares,
  cpuToDockerCpus,
  cpuToMilliCpus,
  cpuToNanoCpus,
  divideCeil,
  memoryToBytes,
  parseQuantity,
  parseQuantityExact,
  QuantityError,
} from '../../src/pod/quantity.ts';

describe('parseQuantity', () => {
  // [given, value in base units, millicores rounded up, bytes rounded up]
  const rows: Array<[string | number, number, number, number]> = [
    ['100m', 0.1, 100, 1],
    ['0.1', 0.1, 100, 1],
    ['1', 1, 1000, 1],
    ['2.5', 2.5, 2500, 3],
    ['1e3', 1000, 1_000_000, 1000],
    ['1E-3', 0.001, 1, 1],
    ['1.5E-1', 0.15, 150, 1],
    ['1e+3', 1000, 1_000_000, 1000],
    ['128974848', 128974848, 128974848000, 128974848],
    ['129e6', 129e6, 129e9, 129e6],
    ['129M', 129e6, 129e9, 129e6],
    ['123Mi', 128974848, 128974848000, 128974848],
    ['1Gi', 1073741824, 1073741824000, 1073741824],
    ['1.5Gi', 1610612736, 1610612736000, 1610612736],
    ['1Ki', 1024, 1_024_000, 1024],
    ['2k', 2000, 2_000_000, 2000],
    ['1T', 1e12, 1e15, 1e12],
    ['1Ti', 2 ** 40, 2 ** 40 * 1000, 2 ** 40],
    ['500u', 0.0005, 1, 1],
    ['1n', 1e-9, 1, 1],
    ['+1', 1, 1000, 1],
    ['.5', 0.5, 500, 1],
    ['1.', 1, 1000, 1],
    ['0', 0, 0, 0],
    ['000250m', 0.25, 250, 1],
    [' 64Mi ', 67108864, 67108864000, 67108864],
    [0.5, 0.5, 500, 1],
    [3, 3, 3000, 3],
  ];
  it.each(rows)('reads %j as %d base units', (given, value, milli, bytes) => {
    expect(parseQuantity(given)).toBeCloseTo(value, 12);
    expect(cpuToMilliCpus(given)).toBe(milli);
    expect(memoryToBytes(given)).toBe(bytes);
  });

  it('keeps the sign of a negative quantity', () => {
    expect(parseQuantity('-1.5Ki')).toBe(-1536);
    expect(parseQuantity('-100m')).toBeCloseTo(-0.1, 12);
  });

  it('is exact where floats are not: 0.1 cpu is exactly 100 millicores', () => {
    expect(parseQuantityExact('0.1')).toEqual({ numerator: 1n, denominator: 10n });
    expect(divideCeil(parseQuantityExact('0.3'), parseQuantityExact('100m'))).toBe(3n);
  });

  const invalid: Array<[string | number, RegExp]> = [
    ['1.2.3', /unknown suffix "\.3"/],
    ['10 Mi', /unknown suffix " Mi"/],
    ['', /empty/],
    ['1Kb', /unknown suffix "Kb"/],
    ['1K', /unknown suffix "K"/],
    ['1mi', /unknown suffix "mi"/],
    ['abc', /no digits/],
    ['Mi', /no digits/],
    ['.', /no digits/],
    ['-', /no digits/],
    ['1e', /unknown suffix "e"/],
    ['1e1.5', /unknown suffix/],
    ['1ee3', /unknown suffix/],
    ['0x10', /unknown suffix "x10"/],
    ['1constructor', /unknown suffix "constructor"/],
    ['1e999', /exponent out of range/],
    [Number.NaN, /not a finite number/],
    [Number.POSITIVE_INFINITY, /not a finite number/],
  ];
  it.each(invalid)('rejects %j with a QuantityError (422) that says why', (given, why) => {
    let caught: unknown;
    try {
      parseQuantity(given);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(QuantityError);
    expect(caught).toBeInstanceOf(PluginError);
    expect((caught as PluginError).kind).toBe('invalid');
    expect((caught as Error).message).toMatch(/is not a valid Kubernetes quantity/);
    expect((caught as Error).message).toMatch(why);
  });
});

describe('cpu conversions', () => {
  // [given, --cpus string, nano-cpus, CFS quota at a 100 ms period, shares for a request]
  const rows: Array<[string | number, string, number, number, number]> = [
    ['100m', '0.1', 100_000_000, 10_000, 102],
    ['0.1', '0.1', 100_000_000, 10_000, 102],
    ['250m', '0.25', 250_000_000, 25_000, 256],
    ['1', '1', 1_000_000_000, 100_000, 1024],
    ['1500m', '1.5', 1_500_000_000, 150_000, 1536],
    ['2.5', '2.5', 2_500_000_000, 250_000, 2560],
    ['5m', '0.005', 5_000_000, 1000, 5],
    ['1m', '0.001', 1_000_000, 1000, 2],
    ['1n', '0.001', 1, 1000, 2],
    ['0', '0', 0, 0, 2],
    ['300', '300', 300_000_000_000, 30_000_000, 262_144],
  ];
  it.each(rows)('maps %j to --cpus %s, nano %d, quota %d, shares %d', (given, cpus, nano, quota, shares) => {
    expect(cpuToDockerCpus(given)).toBe(cpus);
    expect(cpuToNanoCpus(given)).toBe(nano);
    expect(cpuLimitToQuota(given)).toBe(quota);
    expect(cpuRequestToShares(given)).toBe(shares);
  });

  it.each([
    ['-1', cpuToDockerCpus],
    ['-100m', cpuRequestToShares],
    ['-1Mi', memoryToBytes],
  ] as const)('refuses the negative quantity %j', (given, convert) => {
    expect(() => convert(given)).toThrow(/is negative/);
  });

  it('refuses a memory quantity beyond what a number holds exactly', () => {
    expect(() => memoryToBytes('16Ei')).toThrow(/too large/);
  });
});
