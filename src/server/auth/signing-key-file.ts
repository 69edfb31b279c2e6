/** The local server's token signing key in its data directory; the CLI checks which one it is without loading jose. */
export const SIGNING_KEY_FILE = 'jwt-signing-key.json';
