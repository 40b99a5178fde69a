import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isPrivateAddress, legacyNetworkAdmits } from './legacy-network.js';

describe('the legacy network rule', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.9',
    '169.254.1.1',
    '100.64.0.1',
    '::1',
    '::ffff:10.0.0.1',
    'fd12::1',
    'fc00::5',
    'fe80::1',
    'fe80::1%eth0',
  ])('%s is private', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each([
    'fdnotanip',
    'fd',
    'fcx',
    'fe80',
    '',
    'unknown',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '::ffff:8.8.8.8',
    '2001:db8::1',
    '10.0.0.1, 8.8.8.8',
    '010.0.0.1',
  ])('%j is not private', (address) => expect(isPrivateAddress(address)).toBe(false));

  it('loopback is 127/8 and ::1 only', () => {
    expect(['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1'].map(isLoopbackAddress)).toEqual([true, true, true, true]);
    expect(['10.0.0.1', '127.0.0.1.evil', '::2', 'localhost'].map(isLoopbackAddress)).toEqual([false, false, false, false]);
  });

  it('applies the mode', () => {
    expect([
      legacyNetworkAdmits('10.0.0.1', 'private'),
      legacyNetworkAdmits('10.0.0.1', 'loopback'),
      legacyNetworkAdmits('127.0.0.1', 'off'),
    ]).toEqual([true, false, false]);
  });
});
