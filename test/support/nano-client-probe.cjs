// Drives an unmodified Nano RPC client package from npm against our server. The packages take
// only a URL, so mutual TLS is configured the standard Node way: on https.globalAgent, which both
// plain https.request (nano-node-rpc) and axios (@dev-ptera/nano-node-rpc) use by default.
// Usage: node nano-client-probe.cjs PACKAGE URL CA_FILE CERT_FILE KEY_FILE CALLS_JSON
// CALLS_JSON: [["method", ...args], ...]; prints one JSON array of answers.
const https = require('node:https');
const fs = require('node:fs');

const [pkg, url, caFile, certFile, keyFile, callsJson] = process.argv.slice(2);
Object.assign(https.globalAgent.options, {
  ca: fs.readFileSync(caFile),
  cert: fs.readFileSync(certFile),
  key: fs.readFileSync(keyFile),
});
const exported = require(pkg);
const NanoClient = exported.NanoClient ?? exported;
const client = new NanoClient({ url });

(async () => {
  const answers = [];
  for (const [method, ...args] of JSON.parse(callsJson)) {
    try {
      answers.push(await client[method](...args));
    } catch (error) {
      answers.push({ thrown: error && (error.message || error.error || JSON.stringify(error)) });
    }
  }
  process.stdout.write(JSON.stringify(answers));
  https.globalAgent.destroy();
})();
