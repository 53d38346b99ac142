export { buildApp, BODY_LIMIT, type AppDeps } from './build-app.js';
export type { AccountUseCases } from './use-cases.js';
export type { AuthenticationOptions } from './plugins/authenticate.js';
export type { ReadinessProbe, CheckState } from './routes/health-routes.js';
export type { Jwk } from './routes/jwks-routes.js';
export { STATUS } from './errors/status-map.js';
export { HttpProblem, problem, type ProblemBody, type ProblemCode } from './errors/problem.js';
