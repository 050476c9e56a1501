import type Database from "better-sqlite3";

/**
 * Every SQL statement the release log runs, prepared once per connection. Blobs cross this
 * boundary as Buffers; `toBytes` / `toBlob` convert without copying, so the rest of the
 * code sees only `Uint8Array`.
 */
export function toBytes(blob: Buffer): Uint8Array {
  return new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
}

export function toBlob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export interface LeafRow {
  idx: number;
  leaf_hash: Buffer;
  body: Buffer;
  created_at: number;
}

export interface NodeRow {
  idx: number;
  hash: Buffer;
}

export interface CheckpointRow {
  tree_size: number;
  root_hash: Buffer;
  kms: Buffer;
  signature: Buffer;
  signed_at: number;
  anchored_tx: Buffer | null;
  anchored_block: number | null;
}

export function prepareStatements(db: Database.Database) {
  return {
    insertLeaf: db.prepare<[number, Buffer, Buffer, number]>(
      "INSERT INTO leaves (idx, leaf_hash, body, created_at) VALUES (?, ?, ?, ?)",
    ),
    insertNode: db.prepare<[number, number, Buffer]>("INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)"),
    leafHashAt: db.prepare<[number], Buffer>("SELECT leaf_hash FROM leaves WHERE idx = ?").pluck(),
    nodeAt: db.prepare<[number, number], Buffer>("SELECT hash FROM nodes WHERE level = ? AND idx = ?").pluck(),
    leafCount: db.prepare<[], number>("SELECT COUNT(*) FROM leaves").pluck(),
    nextLeafIndex: db.prepare<[], number>("SELECT COALESCE(MAX(idx) + 1, 0) FROM leaves").pluck(),
    nodeCount: db.prepare<[], number>("SELECT COUNT(*) FROM nodes").pluck(),
    leavesInRange: db.prepare<[number, number], LeafRow>(
      "SELECT idx, leaf_hash, body, created_at FROM leaves WHERE idx >= ? AND idx < ? ORDER BY idx",
    ),
    nodesInRange: db.prepare<[number, number, number], NodeRow>(
      "SELECT idx, hash FROM nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
    ),
    insertCheckpoint: db.prepare<[number, Buffer, Buffer, Buffer, number]>(
      "INSERT INTO checkpoints (tree_size, root_hash, kms, signature, signed_at) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (tree_size) DO NOTHING",
    ),
    checkpointAt: db.prepare<[number], CheckpointRow>("SELECT * FROM checkpoints WHERE tree_size = ?"),
    latestCheckpoint: db.prepare<[], CheckpointRow>("SELECT * FROM checkpoints ORDER BY tree_size DESC LIMIT 1"),
    latestAnchoredCheckpoint: db.prepare<[], CheckpointRow>(
      "SELECT * FROM checkpoints WHERE anchored_tx IS NOT NULL ORDER BY tree_size DESC LIMIT 1",
    ),
    allCheckpointRoots: db.prepare<[], Pick<CheckpointRow, "tree_size" | "root_hash">>(
      "SELECT tree_size, root_hash FROM checkpoints ORDER BY tree_size",
    ),
    markAnchored: db.prepare<[Buffer, number, number]>(
      "UPDATE checkpoints SET anchored_tx = ?, anchored_block = ? WHERE tree_size = ?",
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
