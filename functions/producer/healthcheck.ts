/**
 * The container health check command (node:20-bookworm-slim has no curl):
 * exit 0 when GET /health answers 200 within 3 s, 1 otherwise.
 */
const port = Number(process.env.HEALTH_PORT ?? '8080');
fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
