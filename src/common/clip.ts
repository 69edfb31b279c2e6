/** Text from a peer, cut to what a line can use, saying how long it was. */
export const clip = (text: string, limit: number): string => (text.length > limit ? `${text.slice(0, limit)}… (${text.length} characters)` : text);
