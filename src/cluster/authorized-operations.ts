// Authorized-operations bit fields (KIP-430). samsa has no authorizer, so, like Kafka without one,
// every operation that applies to a resource type is allowed. Kafka's AclOperation codes:
// READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10,
// ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12.

// Sent when the client did not ask for authorized operations.
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

const bits = (ops: number[]) => ops.reduce((a, op) => a | (1 << op), 0);

export const TOPIC_OPERATIONS = bits([3, 4, 5, 6, 7, 8, 10, 11]);
export const CLUSTER_OPERATIONS = bits([5, 7, 8, 9, 10, 11, 12]);
export const GROUP_OPERATIONS = bits([3, 6, 8]);
