/** Child entry: the load generator. Waits for one LoadJob over IPC, runs it, sends the LoadResult, exits. */
import { exitWithParent, fail, sendAndFlush } from './child-ipc.js';
import { runConnect } from './load-connect.js';
import { runKeepAlive } from './load-keepalive.js';
import type { LoadJob } from './load-protocol.js';

exitWithParent(() => undefined, 5 * 60_000);

process.once('message', (job: LoadJob) => {
  const run = job.type === 'keepalive' ? runKeepAlive(job) : runConnect(job);
  run
    .then(async (result) => {
      await sendAndFlush(result);
      process.disconnect();
    })
    .catch(fail);
});
