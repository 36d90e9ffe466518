// The webhook bench's floor: the least a Node HTTPS admission webhook does (TLS, HTTP, a JSON
// parse, an AdmissionReview answer, one log line), none of Vouch. Run as the bench's answerer:
//   node bench/no-op-webhook.mjs CERT KEY
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [cert, key] = process.argv.slice(2);
const server = createServer(
  { cert: readFileSync(cert), key: readFileSync(key), keepAliveTimeout: 60_000 },
  (req, res) => {
    if (req.method !== 'POST') {
      // GET /metrics: the bench's gauges read as absent.
      res.end('');
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const uid = JSON.parse(Buffer.concat(chunks).toString()).request.uid;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid, allowed: true },
        }),
      );
      console.log(JSON.stringify({ level: 30, time: Date.now(), uid, allowed: true }));
    });
  },
);
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `https://127.0.0.1:${server.address().port}` }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
