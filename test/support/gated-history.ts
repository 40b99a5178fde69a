import type { Repositories } from '../../db/repositories/index.js';

/**
 * Holds an OEE service's raw history loads once they have their data in hand, until `release()`:
 * lets a test commit a change in exactly the gap between a computation's read and its store.
 */
export function gateHistory(repos: Repositories): { dataInHand: Promise<void>; release: () => void } {
  let loaded!: () => void;
  const dataInHand = new Promise<void>((resolve) => (loaded = resolve));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const history = repos.oeeData.history.bind(repos.oeeData);
  repos.oeeData.history = async (...args) => {
    const result = await history(...args);
    loaded();
    await gate;
    return result;
  };
  return { dataInHand, release };
}
