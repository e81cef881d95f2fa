export { stopTestStack as default } from './test-stack';
