// Task names are unique in a file (the runtime finds a task by file and name, and every
// file may have its own `main`): the CLI refuses a clash, and the editor flags each
// definition. One map by name, so the check is linear in the number of tasks, and each
// problem lists a few other sites and counts the rest.
import type { ConfigProblem } from '../config/schema';
import type { DiscoveredTask } from './tasks';

/** A task, as the `index`-th task of its file when the map was built. */
export interface TaskSite { file: string; index: number; task: DiscoveredTask }
/** `others`: the sites the message names (at most MAX_LISTED_SITES), for an editor to point at. */
export interface DuplicateProblem { file: string; task: DiscoveredTask; problem: ConfigProblem; others: TaskSite[] }

/** Other sites named in one message; the rest are counted ("and 1,997 more"). */
export const MAX_LISTED_SITES = 3;

export class TaskNames {
  private readonly byName = new Map<string, TaskSite[]>();

  /** Tasks the runtime cannot reach by name (inside a class or an `if`) take no name. */
  constructor(sites: Iterable<TaskSite>) {
    for (const s of sites) {
      if (s.task.unreachable) continue;
      const list = this.byName.get(s.task.name);
      if (list) list.push(s);
      else this.byName.set(s.task.name, [s]);
    }
  }

  /**
   * The clashes of one file's tasks; `where` labels a site, e.g. "b.py:4". The map may
   * be older than `tasks` (a file edited without its names changing): tasks are then
   * matched to sites by their position in the file's list.
   */
  problemsFor(file: string, tasks: DiscoveredTask[], where: (site: TaskSite) => string): DuplicateProblem[] {
    const out: DuplicateProblem[] = [];
    tasks.forEach((task, index) => {
      const sites = this.byName.get(task.name);
      if (!sites || sites.length < 2 || task.unreachable) return;
      const others: TaskSite[] = [];
      let more = 0;
      for (const s of sites) {
        if (s.file === file && s.index === index) continue;
        if (others.length < MAX_LISTED_SITES) others.push(s);
        else more++;
      }
      if (others.length === 0) return;
      const rest = more ? ` and ${more.toLocaleString('en-US')} more` : '';
      out.push({
        file,
        task,
        problem: { param: 'name', severity: 'error', message: `duplicate task name "${task.name}": also defined at ${others.map(where).join(', ')}${rest}; task names must be unique in a file`, span: task.taskNameSpan ?? task.nameSpan },
        others,
      });
    });
    return out;
  }
}
