import fs from "node:fs";
import path from "node:path";
import { extendRtmr } from "../../../core/attestation/eventlog";
import { buildQuote, TdxSimulator } from "../../../core/attestation/simulator";
import { nodeTsmFileSystem, type TsmFileSystem } from "../../../agent/measure/tsmFileSystem";

/**
 * A temporary directory laid out like a TDX guest's sysfs and configfs, and a file system
 * that plays the kernel's part: a write to `rtmr3:sha384` extends a simulated RTMR3, a
 * `mkdir` under the report root creates the attribute files, and a write to `inblob` produces
 * the quote in `outblob` (from the simulator's dev PKI) and bumps `generation`.
 */
export interface FakeTdxKernelOptions {
  /** Amount `generation` grows per inblob write (1 as the kernel; 2 imitates a racing writer). */
  generationStep?: number;
  provider?: string;
  emptyOutblob?: boolean;
  /** Leave out the sysfs RTMR3 file / the configfs report root. */
  withoutRtmr3?: boolean;
  withoutConfigfs?: boolean;
}

export interface FakeTdxKernel {
  root: string;
  rtmr3Path: string;
  reportRoot: string;
  fileSystem: TsmFileSystem;
  /** The simulated register, as the quote reports it. */
  rtmr3(): Uint8Array;
  /** Every raw write the agent made to the RTMR3 file. */
  rtmr3Writes: Uint8Array[];
  /** Report directories the agent created. */
  reportDirs: string[];
}

export function createFakeTdxKernel(root: string, options: FakeTdxKernelOptions = {}): FakeTdxKernel {
  const simulator = new TdxSimulator();
  const rtmr3Path = path.join(root, "sys/class/misc/tdx_guest/measurements/rtmr3:sha384");
  const reportRoot = path.join(root, "sys/kernel/config/tsm/report");
  let rtmr3: Uint8Array = new Uint8Array(48);
  const rtmr3Writes: Uint8Array[] = [];
  const reportDirs: string[] = [];
  if (!options.withoutRtmr3) {
    fs.mkdirSync(path.dirname(rtmr3Path), { recursive: true });
    fs.writeFileSync(rtmr3Path, rtmr3);
  }
  if (!options.withoutConfigfs) fs.mkdirSync(reportRoot, { recursive: true });

  const fileSystem: TsmFileSystem = {
    exists: nodeTsmFileSystem.exists,
    readFile: nodeTsmFileSystem.readFile,
    mkdir(dir) {
      nodeTsmFileSystem.mkdir(dir);
      if (path.dirname(dir) !== reportRoot) return;
      reportDirs.push(dir);
      fs.writeFileSync(path.join(dir, "provider"), `${options.provider ?? "tdx_guest"}\n`);
      fs.writeFileSync(path.join(dir, "generation"), "0\n");
      fs.writeFileSync(path.join(dir, "inblob"), "");
      fs.writeFileSync(path.join(dir, "outblob"), "");
    },
    rmdir(dir) {
      // configfs removes the attribute files with the directory; a plain directory needs help.
      fs.rmSync(dir, { recursive: true });
    },
    writeExisting(file, data) {
      nodeTsmFileSystem.writeExisting(file, data);
      if (file === rtmr3Path) {
        if (data.length !== 48) throw new Error("EINVAL: an RTMR extension is 48 bytes");
        rtmr3Writes.push(data.slice());
        rtmr3 = extendRtmr(rtmr3, data);
        fs.writeFileSync(rtmr3Path, rtmr3);
      } else if (path.basename(file) === "inblob") {
        const dir = path.dirname(file);
        const generation = Number(fs.readFileSync(path.join(dir, "generation"), "utf8"));
        fs.writeFileSync(path.join(dir, "generation"), `${generation + (options.generationStep ?? 1)}\n`);
        const quote = options.emptyOutblob ? new Uint8Array(0) : buildQuote(simulator.pki, { ...simulator.measurements, reportData: data, rtmr3 });
        fs.writeFileSync(path.join(dir, "outblob"), quote);
      }
    },
  };
  return { root, rtmr3Path, reportRoot, fileSystem, rtmr3: () => rtmr3.slice(), rtmr3Writes, reportDirs };
}
