/**
 * The container's HEALTHCHECK: exits 0 when the gateway in this container answers /livez with 2xx, else 1.
 * SCIMGW_HEALTH_URL overrides the address (default http://127.0.0.1:$PORT/livez); for a gateway serving
 * HTTPS itself (server.tls) give its https:// address. The certificate is not verified: it names the
 * public host, and this is the container checking its own process over loopback.
 */
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';

const url = new URL(process.env.SCIMGW_HEALTH_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}/livez`);
const get = url.protocol === 'https:' ? httpsGet : httpGet;
const request = get(url, { timeout: 2500, rejectUnauthorized: false }, (response) => {
  response.resume();
  process.exit(response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300 ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('timed out')));
request.on('error', () => process.exit(1));
