// Record ids are UUIDs: an id from an address or a form is checked before it reaches a query (PostgreSQL
// would answer a malformed one with an error, a 500 instead of a 404).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
