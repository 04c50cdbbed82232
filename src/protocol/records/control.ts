// Control batches (attributes bit 5): transaction markers. A control record's key is
// version int16, type int16 (Kafka's ControlRecordType); its value is the EndTxnMarker.

/** The type in a control record's key: Kafka's ControlRecordType. */
export const ControlRecordType = { Abort: 0, Commit: 1 } as const;
