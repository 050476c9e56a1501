import fs from "node:fs";

/**
 * The few file operations the `tsm` provider needs on sysfs and configfs. Passed in, so tests
 * can run the same code against a temporary directory that imitates the kernel.
 */
export interface TsmFileSystem {
  exists(path: string): boolean;
  mkdir(path: string): void;
  rmdir(path: string): void;
  readFile(path: string): Uint8Array;
  /**
   * Writes `data` to an existing file in one `write(2)` at offset 0, never creating it:
   * sysfs and configfs attributes exist or the feature is absent, and the kernel takes an
   * RTMR digest or an inblob only as one whole write.
   */
  writeExisting(path: string, data: Uint8Array): void;
}

export const nodeTsmFileSystem: TsmFileSystem = {
  exists: (path) => fs.existsSync(path),
  mkdir: (path) => fs.mkdirSync(path),
  rmdir: (path) => fs.rmdirSync(path),
  readFile: (path) => new Uint8Array(fs.readFileSync(path)),
  writeExisting(path, data) {
    const descriptor = fs.openSync(path, "r+");
    try {
      const written = fs.writeSync(descriptor, data, 0, data.length, 0);
      if (written !== data.length) throw new Error(`short write to ${path}: ${written} of ${data.length} bytes`);
    } finally {
      fs.closeSync(descriptor);
    }
  },
};
