/** The database's file in a data directory; the CLI checks for it without loading SQLite. */
export const DB_FILE = 'dynamo.db';
