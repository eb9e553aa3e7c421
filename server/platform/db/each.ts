// Reading a query's documents one by one for an export (server/platform/http/crud.ts exportRows), each mapped to
// its view. A mongoose QueryCursor has no return(): a plain `for await` that stops early (the client went away, a
// row failed) would leave it open, so the cursor is closed here whatever ends the loop. The documents are what the
// query's `lean<D[]>()` said they are (mongoose types a lean cursor's documents as unknown).
export async function* eachOf<D, V>(cursor: AsyncIterable<unknown> & { close(): Promise<unknown> }, view: (doc: D) => V): AsyncGenerator<V> {
  try {
    for await (const doc of cursor) yield view(doc as D);
  } finally {
    await cursor.close().catch(() => undefined);
  }
}
