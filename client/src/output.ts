// The "Capsule Runs" output channel: created on first write, in the `capsule-output`
// language so syntaxes/capsule-output.tmLanguage.json colours the lifecycle lines.
import * as vscode from 'vscode';
import { OUTPUT_LANGUAGE } from './ids';

export class RunOutput implements vscode.Disposable {
  private channel: vscode.OutputChannel | undefined;

  private get ch(): vscode.OutputChannel {
    this.channel ??= vscode.window.createOutputChannel('Capsule Runs', OUTPUT_LANGUAGE);
    return this.channel;
  }

  appendLine(line: string): void { this.ch.appendLine(line); }
  show(preserveFocus = true): void { this.ch.show(preserveFocus); }
  dispose(): void { this.channel?.dispose(); }
}
