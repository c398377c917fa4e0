import { Fields, Section } from '../Fields';
import type { TaskDetail } from '../types';

/** Where the code came from and how it runs: source, uncommitted changes, packages, container. */
export function ExecutionTab({ task }: { task: TaskDetail }) {
  const s = task.script ?? {};
  const c = task.container ?? {};
  const pip = s.requirements?.pip ?? '';
  const otherRequirements = Object.entries(s.requirements ?? {}).filter(([k, v]) => k !== 'pip' && v);
  return (
    <div className="tab-body">
      <Section title="Source code">
        <Fields rows={[
          ['Repository', s.repository],
          ['Branch', s.branch],
          ['Commit', s.version_num ? <code>{s.version_num}</code> : s.tag],
          ['Working directory', s.working_dir],
          ['Entry point', s.entry_point ? <code>{s.entry_point}</code> : ''],
          ['Python', s.binary],
          ['Output destination', task.output?.destination],
        ]} />
      </Section>
      <Section title="Uncommitted changes">
        {s.diff ? <pre className="code-block">{s.diff}</pre> : <p className="muted">None recorded.</p>}
      </Section>
      <Section title="Installed packages">
        {pip ? <pre className="code-block">{pip}</pre> : <p className="muted">None recorded.</p>}
        {otherRequirements.map(([k, v]) => (
          <pre key={k} className="code-block" aria-label={`Requirements (${k})`}>{v}</pre>
        ))}
      </Section>
      <Section title="Container">
        <Fields rows={[
          ['Image', c.image ? <code>{c.image}</code> : ''],
          ['Arguments', c.arguments ? <code>{c.arguments}</code> : ''],
        ]} />
        {c.setup_shell_script && <pre className="code-block">{c.setup_shell_script}</pre>}
      </Section>
    </div>
  );
}
