// Every workflow the worker registers.
export { habilitationRequestWorkflow } from './habilitation-request.js';
