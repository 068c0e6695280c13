/**
 * The `tfc` commands a README tells the reader to type: every `npx tfc ...` in its ```sh blocks
 * (lines continued with a backslash joined, comments dropped, `&&` chains split), as argument
 * lists in the order written; with `section`, only those under that `## ` heading.
 */
import { readFileSync } from 'node:fs';

export function readmeTfcCommands(readme: string, section?: string): string[][] {
  const text = section === undefined ? readFileSync(readme, 'utf8') : sectionText(readme, section);
  const blocks = [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  return blocks
    .flatMap((block) => block.replace(/\\\n/g, ' ').split('\n'))
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split('&&'))
    .map((command) => command.trim().split(/\s+/))
    .filter((argv) => argv[0] === 'npx' && argv[1] === 'tfc')
    .map((argv) => argv.slice(2));
}

/** The text under one `## ` heading of a README, up to the next one. */
function sectionText(readme: string, heading: string): string {
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`${readme} has no section '## ${heading}'`);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The text of the ``` block that starts with `$ <command>` in a README: what the README says the command prints. */
export function readmeTranscript(readme: string, command: string): string {
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf(`\`\`\`\n$ ${command}\n`);
  if (start < 0) throw new Error(`${readme} has no transcript of '${command}'`);
  const body = text.slice(text.indexOf('\n', text.indexOf('\n', start) + 1) + 1);
  return body.slice(0, body.indexOf('```'));
}
