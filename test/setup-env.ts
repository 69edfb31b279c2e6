/**
 * Every test file starts from the same environment, whatever machine runs the suite. What a CI
 * runner or a developer's shell sets would otherwise change what the CLI prints (FORCE_COLOR,
 * NO_COLOR, CI, TERM=linux's ASCII fallbacks), whom it trusts (NODE_TLS_REJECT_UNAUTHORIZED) or
 * which server and token it uses (DYNAMO_*), in this process and in every child the tests start.
 * They stand for an installer's laptop; a test that wants one of these passes it.
 */
const MACHINE_SPECIFIC = new Set(['FORCE_COLOR', 'NO_COLOR', 'CI', 'CONTINUOUS_INTEGRATION', 'NODE_TLS_REJECT_UNAUTHORIZED']);
for (const key of Object.keys(process.env)) {
  if (MACHINE_SPECIFIC.has(key) || key.startsWith('DYNAMO_')) delete process.env[key];
}
process.env['TERM'] = 'xterm-256color';
