import { describe, expect, it } from 'vitest';
import { roleAllows } from './roles.js';

describe('roleAllows', () => {
  it('ranks the human roles and keeps device apart', () => {
    expect(roleAllows('viewer', 'signedIn')).toBe(true);
    expect(roleAllows('viewer', 'shopFloor')).toBe(false);
    expect(roleAllows('device', 'shopFloor')).toBe(true);
    expect(roleAllows('device', 'signedIn')).toBe(false);
    expect(roleAllows('operator', 'shopFloor')).toBe(true);
    expect(roleAllows('supervisor', 'admin')).toBe(false);
    expect(roleAllows('admin', 'supervisor')).toBe(true);
  });
});
