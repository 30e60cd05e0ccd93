// Pulled diagnostics in groups. LSP has no per-document delta: a full report carries the
// document's whole list, ~1,400 diagnostics (~370 KB) in a 10,000-decorator file, and
// the client parses all of it on each keystroke that changes one (6-9 ms). A client that
// registers pull providers dynamically (VS Code's keeps one diagnostic collection per
// registration and pulls each after every change) is given GROUPS providers, each with
// its own identifier, each reporting the diagnostics that start in its run of lines. A
// keystroke that changes one diagnostic then gets one small full report and "unchanged"
// for the rest. A keystroke that moves lines changes the ranges below it, so the groups
// from there on are full again, as the whole list was before.
import { DocumentDiagnosticReportKind, type Diagnostic, type DocumentDiagnosticReport } from 'vscode-languageserver';
import { diagnosticJson } from './diagnostic-json';

/**
 * How many providers a dynamically registering client gets. Each costs every keystroke a
 * request and an answer (~0.2 ms of CPU in the bench, server and client together); fewer
 * make a value keystroke's full report larger. On the 10k-decorator file, alternated runs
 * (load 6-10) of 4, 6, 8 and 16 against 1 all cut a value keystroke's CPU by 2-4 ms and
 * added ~1 ms to a body keystroke's; 8 leaves a ~47 KB report, as VS Code also converts
 * and forwards to its renderer each diagnostic of a changed collection.
 */
export const GROUPS = 8;

/** The providers' identifiers, in group order. */
export const GROUP_IDS: readonly string[] = Array.from({ length: GROUPS }, (_, i) => `capsule-${i}`);
const groupIndex = new Map(GROUP_IDS.map((id, i) => [id, i]));

/**
 * A list split by group, once per list object (the GROUPS pulls after a keystroke share
 * it), and its last start line. Groups are runs of lines, `lines` long (the last one
 * open-ended): a line break typed at line L moves only the diagnostics below it, so the
 * groups above L stay "unchanged".
 */
const splits = new WeakMap<Diagnostic[], { lines: number; parts: Diagnostic[][]; last: number }>();

export function splitByGroup(items: Diagnostic[], lines: number): { parts: Diagnostic[][]; last: number } {
  let split = splits.get(items);
  if (split?.lines !== lines) {
    split = { lines, parts: Array.from({ length: GROUPS }, () => []), last: 0 };
    for (const d of items) {
      const line = d.range.start.line;
      if (line > split.last) split.last = line;
      split.parts[Math.min(GROUPS - 1, Math.floor(line / lines))]!.push(d);
    }
    splits.set(items, split);
  }
  return split;
}

interface LastReport { items: Diagnostic[]; keys: string[] | undefined; resultId: string }

/**
 * The reports the client holds, per document and provider: a resultId stays while the
 * provider's diagnostics are the same (the same objects, or the same JSON).
 */
export class PulledReports {
  private readonly last = new Map<string, { lines?: number; byId: Map<string, LastReport> }>();
  private nextResultId = 1;

  /** The report for `identifier`'s part of `items` (all of them for no or an unknown identifier). */
  report(uri: string, identifier: string | undefined, items: Diagnostic[], previousResultId: string | undefined): DocumentDiagnosticReport {
    const group = identifier === undefined ? undefined : groupIndex.get(identifier);
    let doc = this.last.get(uri);
    if (!doc) this.last.set(uri, (doc = { byId: new Map() }));
    let part = items;
    if (group !== undefined) {
      let split = splitByGroup(items, doc.lines ?? 1);
      // The groups' length: the diagnostics' lines spread over the groups, kept until they outgrow it by a quarter.
      if (doc.lines === undefined || split.last >= doc.lines * GROUPS * 1.25) {
        doc.lines = Math.max(1, Math.ceil((split.last + 1) / GROUPS));
        split = splitByGroup(items, doc.lines);
      }
      part = split.parts[group]!;
    }
    const slot = group === undefined ? '' : identifier!;
    const byId = doc.byId;
    let last = byId.get(slot);
    if (last?.items !== part) {
      if (!last || !sameItems(last, part)) last = { items: part, keys: undefined, resultId: String(this.nextResultId++) };
      else last = { ...last, items: part };
      byId.set(slot, last);
    }
    return previousResultId === last.resultId
      ? { kind: DocumentDiagnosticReportKind.Unchanged, resultId: last.resultId }
      : { kind: DocumentDiagnosticReportKind.Full, resultId: last.resultId, items: part };
  }

  forget(uri: string): void {
    this.last.delete(uri);
  }
}

/** The same diagnostics: the same objects (taskDiagnostics keeps them while they stay), else the same JSON. */
function sameItems(last: LastReport, items: Diagnostic[]): boolean {
  const a = last.items;
  if (a.length !== items.length) return false;
  let i = 0;
  while (i < a.length && a[i] === items[i]) i++;
  if (i === a.length) return true;
  const keys = (last.keys ??= a.map(diagnosticJson));
  for (; i < a.length; i++) if (keys[i] !== diagnosticJson(items[i]!)) return false;
  return true;
}
