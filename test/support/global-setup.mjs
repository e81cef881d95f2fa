// Loaded natively by jest (not through ts-jest); `npm test` runs jest under tsx, which resolves the .ts file.
export { startTestStack as default } from './test-stack';
