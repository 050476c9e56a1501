import { bytesEqual } from "../../core/bytes";
import { type CompletedNode, type Frontier, pushLeaf, rootFromFrontier } from "../../core/merkle/frontier";
import { leafHash } from "../../core/merkle/hash";
import { ReleaseLogError } from "../../core/releaseLog/errors";
import { type Statements, toBytes } from "./statements";

/** Leaves read and checked per query: bounds memory while keeping the query count low. */
const PAGE_SIZE = 4096;

export interface VerifiedTree {
  size: number;
  frontier: Frontier;
}

function corrupt(message: string): never {
  throw new ReleaseLogError("LOG_CORRUPT", `release log is corrupt: ${message}`);
}

/** Compares the nodes a page of leaves completed with the stored rows of those nodes. */
function checkStoredNodes(statements: Statements, completed: Map<number, CompletedNode[]>): void {
  for (const [level, nodes] of completed) {
    const first = (nodes[0] as CompletedNode).index;
    const rows = statements.nodesInRange.all(level, first, first + nodes.length);
    nodes.forEach((node, i) => {
      const row = rows[i];
      if (!row || row.idx !== node.index) corrupt(`node (${level}, ${node.index}) is missing`);
      if (!bytesEqual(toBytes(row.hash), node.hash)) corrupt(`node (${level}, ${node.index}) does not match its leaves`);
    });
  }
}

/**
 * Recomputes the whole tree from the leaf bodies and checks, in one pass:
 * - leaf indexes are exactly 0..n-1;
 * - each stored leaf hash is `SHA-256(0x00 ‖ body)`;
 * - each stored complete-subtree node equals the hash of its leaves, and there are no others;
 * - every recorded checkpoint's root equals the recomputed root at its size, and no
 *   checkpoint is beyond the log (a log shorter than what it signed was rolled back).
 * Throws `LOG_CORRUPT` on the first mismatch; returns the size and frontier otherwise.
 * Cost: one leaf hash and about one node hash per leaf, with O(n / PAGE_SIZE) queries.
 */
export function verifyStoredTree(statements: Statements): VerifiedTree {
  const size = statements.leafCount.get() as number;
  if (statements.nextLeafIndex.get() !== size) corrupt("leaf indexes are not contiguous from 0");
  const checkpoints = statements.allCheckpointRoots.all();
  const beyond = checkpoints.find((checkpoint) => checkpoint.tree_size > size);
  if (beyond) corrupt(`a checkpoint was signed at size ${beyond.tree_size} but the log holds ${size} leaves`);

  const frontier: Frontier = [];
  let nextCheckpoint = 0;
  const checkCheckpointsAt = (treeSize: number) => {
    while (checkpoints[nextCheckpoint]?.tree_size === treeSize) {
      const stored = toBytes((checkpoints[nextCheckpoint] as (typeof checkpoints)[number]).root_hash);
      if (!bytesEqual(stored, rootFromFrontier(frontier))) corrupt(`the signed checkpoint at size ${treeSize} does not match the leaves`);
      nextCheckpoint++;
    }
  };
  checkCheckpointsAt(0);

  for (let start = 0; start < size; start += PAGE_SIZE) {
    const rows = statements.leavesInRange.all(start, start + PAGE_SIZE);
    const completed = new Map<number, CompletedNode[]>();
    rows.forEach((row, i) => {
      const index = start + i;
      if (row.idx !== index) corrupt(`leaf ${index} is missing`);
      const hash = leafHash(toBytes(row.body));
      if (!bytesEqual(hash, toBytes(row.leaf_hash))) corrupt(`leaf ${index}'s stored hash does not match its body`);
      for (const node of pushLeaf(frontier, index, hash)) {
        if (node.level > 0) {
          const list = completed.get(node.level);
          if (list) list.push(node);
          else completed.set(node.level, [node]);
        }
      }
      checkCheckpointsAt(index + 1);
    });
    checkStoredNodes(statements, completed);
  }

  let expectedNodes = 0;
  for (let width = 2; width <= size; width *= 2) expectedNodes += Math.floor(size / width);
  if (statements.nodeCount.get() !== expectedNodes) corrupt("the nodes table holds rows that no leaf completed");
  return { size, frontier };
}
