/**
 * The prediction API and the dashboard on one loopback port (npm start, the browser
 * test): the page at /, its files and its config.json (the API on this origin, requests
 * unsigned: dashboard/src/config.ts LOCAL_CONFIG), every other path to the API handler as API
 * Gateway would pass it. Responses are gzipped when the client accepts it, as the
 * page's 10k-device fleet is ~1 MB of JSON and a tenth of that gzipped.
 */
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { createHandler } from '../functions/api/handler';
import type { DashboardFiles } from '../dashboard/build';
import { CONFIG_PATH, LOCAL_CONFIG } from '../dashboard/src/config';

export function createApiServer(api: ReturnType<typeof createHandler>, dashboard: DashboardFiles | null): Server {
  const localConfig = { contentType: 'application/json', body: Buffer.from(JSON.stringify(LOCAL_CONFIG)) };
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const send = (status: number, headers: Record<string, string>, body: string | Uint8Array) => {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      if (gzip && bytes.length > 1024) {
        res.writeHead(status, { ...headers, 'content-encoding': 'gzip', vary: 'accept-encoding' });
        res.end(gzipSync(bytes, { level: 6 }));
      } else {
        res.writeHead(status, headers);
        res.end(bytes);
      }
    };
    const file = req.method === 'GET' || req.method === 'HEAD' ? (url.pathname === `/${CONFIG_PATH}` && dashboard ? localConfig : dashboard?.get(url.pathname)) : undefined;
    if (file) return send(200, { 'content-type': file.contentType, 'cache-control': 'no-cache' }, file.body);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]));
    api({ rawPath: url.pathname, queryStringParameters: Object.fromEntries(url.searchParams), headers, requestContext: { http: { method: req.method ?? 'GET' } } })
      .then((r) => send(r.statusCode, r.headers, r.body))
      .catch(() => {
        res.writeHead(500);
        res.end();
      });
  });
}
