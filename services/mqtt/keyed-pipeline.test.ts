import { describe, expect, it } from 'vitest';
import { KeyedPipeline } from './keyed-pipeline.js';

/** A task that finishes when told: the test decides the order in which writes complete. */
function gate() {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedPipeline', () => {
  it('runs different keys at once and one key strictly in order', async () => {
    const pipeline = new KeyedPipeline(10);
    const started: string[] = [];
    const gates = { a1: gate(), a2: gate(), b1: gate() };
    const task = (name: keyof typeof gates) => () => {
      started.push(name);
      return gates[name].promise;
    };
    const a1 = pipeline.run(['machine:1'], task('a1'));
    const a2 = pipeline.run(['machine:1'], task('a2'));
    const b1 = pipeline.run(['machine:2'], task('b1'));
    await tick();
    expect(started).toEqual(['a1', 'b1']);
    gates.b1.open();
    await b1;
    expect(started).toEqual(['a1', 'b1']);
    gates.a1.open();
    await a1;
    await tick();
    expect(started).toEqual(['a1', 'b1', 'a2']);
    gates.a2.open();
    await a2;
    await tick();
    expect(pipeline.size).toBe(0);
  });

  it('a task with two keys waits for both; the next of either key waits for it', async () => {
    const pipeline = new KeyedPipeline(10);
    const started: string[] = [];
    const g1 = gate();
    const g2 = gate();
    const one = pipeline.run(['a'], () => (started.push('a'), g1.promise));
    const two = pipeline.run(['b'], () => (started.push('b'), g2.promise));
    const both = pipeline.run(['a', 'b'], async () => void started.push('ab'));
    const after = pipeline.run(['b'], async () => void started.push('b2'));
    g1.open();
    await one;
    await tick();
    expect(started).toEqual(['a', 'b']);
    g2.open();
    await Promise.all([two, both, after]);
    expect(started).toEqual(['a', 'b', 'ab', 'b2']);
  });

  it('a failure stops its key until reset; other keys go on', async () => {
    const pipeline = new KeyedPipeline(10);
    const ran: string[] = [];
    const g = gate();
    const failed = pipeline.run(['a'], () => g.promise);
    const skipped = pipeline.run(['a'], async () => void ran.push('a2'));
    const other = pipeline.run(['b'], async () => void ran.push('b'));
    g.fail(new Error('database away'));
    await expect(failed).rejects.toThrow('database away');
    await expect(skipped).rejects.toThrow('an earlier message of the same machine was not processed');
    await other;
    pipeline.reset();
    await pipeline.run(['a'], async () => void ran.push('a3'));
    expect(ran).toEqual(['b', 'a3']);
  });

  it('room waits while the limit is reached', async () => {
    const pipeline = new KeyedPipeline(2);
    const g = gate();
    const first = pipeline.run(['a'], () => g.promise);
    const second = pipeline.run(['b'], async () => undefined);
    await second;
    await pipeline.room();
    const third = pipeline.run(['c'], () => g.promise);
    let roomy = false;
    const waiting = pipeline.room().then(() => (roomy = true));
    await tick();
    expect(roomy).toBe(false);
    g.open();
    await Promise.all([first, third, waiting]);
    expect(roomy).toBe(true);
    await pipeline.settled();
    await tick();
    expect(pipeline.size).toBe(0);
  });
});
