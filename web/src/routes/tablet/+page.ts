// The tablet page lives in the browser: its token in localStorage, its queue in IndexedDB, its data over
// the socket. Nothing to render on the server.
export const ssr = false;
