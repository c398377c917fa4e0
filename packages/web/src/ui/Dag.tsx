import { navigate } from '../app/router';

/** One box of a graph: its parents are ids of other boxes. */
export interface DagNode {
  id: string;
  title: string;
  /** the second line: a version, a status */
  detail: string;
  parents: readonly string[];
  /** a class the box also gets (a status, to colour it) */
  tone?: string;
  href?: string;
}

const W = 160;
const H = 46;
const GAP_X = 60;
const GAP_Y = 18;

/** Each node's column: 0 for nodes without parents, else one more than its deepest parent. */
export function dagColumns(nodes: readonly { id: string; parents: readonly string[] }[]): Map<string, number> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const visit = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0;
    seen.add(id);
    const parents = byId.get(id)?.parents.filter((p) => byId.has(p)) ?? [];
    const d = parents.length === 0 ? 0 : 1 + Math.max(...parents.map((p) => visit(p, seen)));
    depth.set(id, d);
    return d;
  };
  for (const n of nodes) visit(n.id, new Set());
  return depth;
}

/**
 * A directed graph drawn left to right (a dataset's lineage, a pipeline's steps): a box
 * per node in the column of its depth, an arrow from each parent; a box with an `href`
 * opens it on a click or Enter.
 */
export function Dag({ nodes, current, label }: { nodes: readonly DagNode[]; current?: string; label: string }) {
  const columns = dagColumns(nodes);
  const rows = new Map<number, number>();
  const at = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const c = columns.get(n.id) ?? 0;
    const r = rows.get(c) ?? 0;
    rows.set(c, r + 1);
    at.set(n.id, { x: 10 + c * (W + GAP_X), y: 10 + r * (H + GAP_Y) });
  }
  const width = 20 + (Math.max(0, ...columns.values()) + 1) * (W + GAP_X) - GAP_X;
  const height = 20 + Math.max(1, ...rows.values()) * (H + GAP_Y) - GAP_Y;
  return (
    <svg className="dag" width={width} height={height} role="img" aria-label={label}>
      <defs>
        <marker id="dag-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" className="dag-arrow" />
        </marker>
      </defs>
      {nodes.flatMap((n) => n.parents.filter((p) => at.has(p)).map((p) => {
        const from = at.get(p)!;
        const to = at.get(n.id)!;
        return <line key={`${p}-${n.id}`} className="dag-edge" data-edge={`${p}>${n.id}`} x1={from.x + W} y1={from.y + H / 2} x2={to.x} y2={to.y + H / 2} markerEnd="url(#dag-arrow)" />;
      }))}
      {nodes.map((n) => {
        const p = at.get(n.id)!;
        const open = n.href ? () => navigate(n.href!) : undefined;
        return (
          <g key={n.id} className={['dag-node', n.tone, n.id === current ? 'current' : ''].filter(Boolean).join(' ')} data-id={n.id}
            transform={`translate(${p.x},${p.y})`} role={open ? 'link' : undefined} tabIndex={open ? 0 : undefined} aria-label={`${n.title} ${n.detail}`}
            onClick={open} onKeyDown={(e) => e.key === 'Enter' && open?.()}>
            <rect width={W} height={H} rx={6} />
            <text x={10} y={18} className="dag-title">{n.title.length > 19 ? `${n.title.slice(0, 18)}…` : n.title}</text>
            <text x={10} y={36} className="dag-detail">{n.detail}</text>
          </g>
        );
      })}
    </svg>
  );
}
