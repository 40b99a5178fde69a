import type { CommandMeta, TabletCommandName, TabletCommands } from '$core/realtime/tablet-events.js';

/** A command waiting for the server's ack. It keeps its `eventId` and `at` from the moment it was tapped. */
export interface QueuedCommand<N extends Exclude<TabletCommandName, 'operator:sign-in'> = Exclude<TabletCommandName, 'operator:sign-in'>> {
  /** IndexedDB key: the order commands were tapped in, and the order they replay in. */
  seq?: number;
  name: N;
  payload: TabletCommands[N] & Required<CommandMeta>;
  /** What the operator sees in the queue list ("Stop: Jam"). */
  label: string;
}

/**
 * The durable command queue: IndexedDB, so taps survive a reload, a crash or a flat battery while the
 * Wi-Fi is down. Sign-ins never go here (a PIN is not stored on the tablet).
 */
const DB_NAME = 'oee-tablet';
const STORE = 'commands';

let opening: Promise<IDBDatabase> | null = null;

function database(): Promise<IDBDatabase> {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return database().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const request = work(tx.objectStore(STORE));
        // Resolve on commit, not on the request: "queued" must mean "on disk".
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      }),
  );
}

/** Every queued command, oldest first. */
export function loadQueue(): Promise<QueuedCommand[]> {
  return run('readonly', (store) => store.getAll() as IDBRequest<QueuedCommand[]>);
}

export async function enqueue(command: QueuedCommand): Promise<QueuedCommand> {
  // Plain JSON: reactive proxies cannot be stored, and the payload travels as JSON anyway.
  const plain = JSON.parse(JSON.stringify(command)) as QueuedCommand;
  const seq = await run('readwrite', (store) => store.add(plain));
  return { ...command, seq: seq as number };
}

export async function dequeue(seq: number): Promise<void> {
  await run('readwrite', (store) => store.delete(seq));
}

/** An event id for a command. `crypto.randomUUID` exists only in secure contexts; shop-floor servers are often plain http. */
export function newEventId(): string {
  if (typeof crypto.randomUUID === 'function' && globalThis.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
