// The bytes of a `records` field. Decoding always yields a Buffer (a view into the frame);
// encoding also takes RecordsChunks, several buffers sent back to back without being joined, so a
// Fetch response can carry batches from the log (file reads or the tail of the log in memory)
// straight to the socket.

export class RecordsChunks {
  readonly length: number;
  constructor(readonly chunks: readonly Buffer[]) {
    let n = 0;
    for (const c of chunks) n += c.length;
    this.length = n;
  }
}

export type Records = Buffer | RecordsChunks;
