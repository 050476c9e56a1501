/**
 * `npm run gas` (`hardhat run scripts/gas.ts`): deploys fresh contracts on Hardhat's in-process
 * network and prints the gas of each hot path, with the targets, as a terminal table and
 * as Markdown for the README. The measurements live in test/contracts/helpers/gasTable.ts, which
 * the gas test shares.
 */
import { measureGasTable, renderGasTableMarkdown, renderGasTableText } from "../test/contracts/helpers/gasTable";

async function main(): Promise<void> {
  const rows = await measureGasTable();
  process.stdout.write(`${renderGasTableText(rows)}\n\nMarkdown:\n\n${renderGasTableMarkdown(rows)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
