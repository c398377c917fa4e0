import { navigate } from '../app/router';
import { lineageColumns, type LineageNode } from './content';

const W = 150;
const H = 46;
const GAP_X = 60;
const GAP_Y = 18;

/**
 * The versions a dataset version is built from, oldest on the left: a box per version
 * (name, version, status) and an arrow from each parent. A click opens that version.
 */
export function Lineage({ nodes, current, hrefOf, statusOf }: {
  nodes: readonly LineageNode[];
  current: string;
  hrefOf: (node: LineageNode) => string;
  /** the status now, where known (the struct keeps the one each version had when it was recorded) */
  statusOf: (node: LineageNode) => string;
}) {
  if (nodes.length === 0) return <p className="muted">No lineage recorded for this version.</p>;
  const columns = lineageColumns(nodes);
  const rows = new Map<number, number>();
  const at = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const c = columns.get(n.id) ?? 0;
    const r = rows.get(c) ?? 0;
    rows.set(c, r + 1);
    at.set(n.id, { x: 10 + c * (W + GAP_X), y: 10 + r * (H + GAP_Y) });
  }
  const width = 20 + (Math.max(...columns.values()) + 1) * (W + GAP_X) - GAP_X;
  const height = 20 + Math.max(...rows.values()) * (H + GAP_Y) - GAP_Y;
  return (
    <svg className="lineage" width={width} height={height} role="img" aria-label="Lineage">
      <defs>
        <marker id="lineage-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" className="lineage-arrow" />
        </marker>
      </defs>
      {nodes.flatMap((n) => n.parents.filter((p) => at.has(p)).map((p) => {
        const from = at.get(p)!;
        const to = at.get(n.id)!;
        return <line key={`${p}-${n.id}`} className="lineage-edge" data-edge={`${p}>${n.id}`} x1={from.x + W} y1={from.y + H / 2} x2={to.x} y2={to.y + H / 2} markerEnd="url(#lineage-arrow)" />;
      }))}
      {nodes.map((n) => {
        const p = at.get(n.id)!;
        const href = hrefOf(n);
        return (
          <g key={n.id} className={n.id === current ? 'lineage-node current' : 'lineage-node'} data-id={n.id} transform={`translate(${p.x},${p.y})`}
            role="link" tabIndex={0} aria-label={`${n.name} ${n.version}`}
            onClick={() => navigate(href)} onKeyDown={(e) => e.key === 'Enter' && navigate(href)}>
            <rect width={W} height={H} rx={6} />
            <text x={10} y={18} className="lineage-name">{n.name.length > 18 ? `${n.name.slice(0, 17)}…` : n.name}</text>
            <text x={10} y={36} className="lineage-meta">{n.version} · {statusOf(n)}</text>
          </g>
        );
      })}
    </svg>
  );
}
