import { describe, expect, it } from 'vitest';
import { watchCertificateExpiry } from '../../src/metrics/expiry.js';
import { LogCapture } from '../support/log-capture.js';
import { makeCa, makeClient } from '../support/pki.js';

const DAY = 86_400_000;

describe('certificate expiry warnings', () => {
  it('warns once at 30 days and once at 7 days before expiry, never for a distant one', async () => {
    const ca = await makeCa('Expiry CA', { notAfter: new Date(Date.now() + 400 * DAY) });
    const soon = await makeClient('soon.app', ca, { notAfter: new Date(Date.now() + 20 * DAY) });
    const sooner = await makeClient('sooner.app', ca, { notAfter: new Date(Date.now() + 5 * DAY) });
    const later = await makeClient('later.app', ca, { notAfter: new Date(Date.now() + 90 * DAY) });
    const logs = new LogCapture();
    const watched = [soon, sooner, later].map((id) => ({ role: 'client' as const, cert: id.cert, commonName: id.cert.subject.split('CN=')[1] }));
    const watcher = watchCertificateExpiry(logs.logger, () => watched);
    watcher.check();
    watcher.close();
    const warnings = logs.lines.filter((line) => line.level === 40).map((line) => line.msg);
    expect(warnings).toEqual([
      expect.stringMatching(/^the client certificate soon\.app expires in 19 days/),
      expect.stringMatching(/^the client certificate sooner\.app expires in 4 days/),
    ]);
  });
});
