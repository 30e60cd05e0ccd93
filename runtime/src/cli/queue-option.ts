// Which queue a run goes to: --queue, else CAPSULE_QUEUE, else capsule.toml's [queue] url;
// --local runs here whatever those say. The URL is checked here (a bad one is exit 2).
import { loadProjectConfig } from '../config/toml';
import { parseQueueUrl, QueueUrlError, type QueueUrl } from '../queue/url';
import { UsageFailure } from './usage';

export function queueFor(flag: string | undefined, local: boolean, projectRoot: string, env: NodeJS.ProcessEnv = process.env): QueueUrl | null {
  if (local) {
    if (flag !== undefined) throw new UsageFailure('capsule run: --queue and --local contradict each other; give one');
    return null;
  }
  const [text, where] =
    flag !== undefined ? [flag, '--queue']
      : env.CAPSULE_QUEUE ? [env.CAPSULE_QUEUE, 'CAPSULE_QUEUE']
        : [loadProjectConfig(projectRoot).queue?.url, "capsule.toml's [queue] url"];
  if (text === undefined) return null;
  try {
    return parseQueueUrl(text, where);
  } catch (e) {
    if (e instanceof QueueUrlError) throw new UsageFailure(e.message);
    throw e;
  }
}
