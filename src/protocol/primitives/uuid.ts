// Kafka UUIDs (topic ids) travel as 16 raw bytes and are shown, as Kafka's Uuid.toString() does,
// in URL-safe base64 without padding (22 characters).

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function uuidFromBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString('base64url');
}

export function uuidToBytes(id: string, out: Buffer, offset: number): void {
  const raw = Buffer.from(id, 'base64url');
  if (raw.length !== 16) throw new Error(`invalid uuid ${JSON.stringify(id)}: expected 16 bytes in base64url`);
  raw.copy(out, offset);
}

// Kafka never hands out an id that is zero or whose base64 starts with '-' (Uuid.randomUuid()),
// so ids stay safe on command lines.
export function randomUuid(): string {
  for (;;) {
    const b = crypto.getRandomValues(new Uint8Array(16));
    const id = uuidFromBytes(b);
    if (id !== ZERO_UUID && !id.startsWith('-')) return id;
  }
}
