export { Reader, type TaggedField } from './reader.js';
export { Writer, encodeTagged } from './writer.js';
export { ZERO_UUID, randomUuid, uuidFromBytes, uuidToBytes } from './uuid.js';
export { type Input, type MessageCodec, UnsupportedVersionError, DecodeError, checkVersion, absentField, finishDecode, deepEqual, EMPTY } from './codec.js';
export { RecordsChunks, type Records } from './records.js';
