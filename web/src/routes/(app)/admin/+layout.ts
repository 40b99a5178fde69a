// The admin pages read the JSON API from the browser with the session cookie (the API is served by Express,
// not by SvelteKit, so a server-side fetch would not reach it); +layout.server.ts still turns strangers away.
export const ssr = false;
