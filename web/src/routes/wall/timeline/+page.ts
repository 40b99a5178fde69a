// The wall screen lives on its socket: nothing to render on the server.
export const ssr = false;
