import type { Server } from 'node:http';

/** Starts serving `routes` ({ '/url/prefix/': folder }) on 127.0.0.1; port 0 picks a free one. */
export function startServer(routes: Record<string, string>, port?: number): Promise<{ server: Server; url: string }>;
