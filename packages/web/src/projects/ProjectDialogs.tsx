import { useState } from 'react';
import { call } from '../api/client';
import type { Project } from '../api/types';
import { Dialog } from '../ui/Dialog';
import { notify, notifyError } from '../ui/notify';
import { parentPath } from './tree';

/** Runs a project change, reporting the server's reason when it fails. */
function useSubmit(action: string, onDone: () => void) {
  const [busy, setBusy] = useState(false);
  const run = async (endpoint: string, body: object, success: string) => {
    setBusy(true);
    try {
      await call(endpoint, body);
      notify(success);
      onDone();
    } catch (err) {
      notifyError(action, err);
      setBusy(false);
    }
  };
  return { busy, run };
}

function ParentSelect({ projects, value, onChange, exclude }: { projects: readonly Project[]; value: string; onChange: (v: string) => void; exclude?: Project }) {
  const allowed = projects.filter((p) => !exclude || (p.id !== exclude.id && !p.name.startsWith(`${exclude.name}/`)));
  return (
    <label>
      Parent project
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">(top level)</option>
        {[...allowed].sort((a, b) => a.name.localeCompare(b.name)).map((p) => <option key={p.id} value={p.name}>{p.name}</option>)}
      </select>
    </label>
  );
}

const join = (parent: string, name: string) => (parent ? `${parent}/${name.trim()}` : name.trim());

export function CreateProjectDialog({ projects, onClose, onDone }: { projects: readonly Project[]; onClose: () => void; onDone: () => void }) {
  const [name, setName] = useState('');
  const [parent, setParent] = useState('');
  const { busy, run } = useSubmit('Could not create the project', onDone);
  return (
    <Dialog title="New project" submitLabel="Create" busy={busy} onClose={onClose}
      onSubmit={() => run('projects.create', { name: join(parent, name) }, `Created project ${join(parent, name)}`)}>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <ParentSelect projects={projects} value={parent} onChange={setParent} />
    </Dialog>
  );
}

export function RenameProjectDialog({ project, onClose, onDone }: { project: Project; onClose: () => void; onDone: () => void }) {
  const [name, setName] = useState(project.basename);
  const { busy, run } = useSubmit('Could not rename the project', onDone);
  const full = join(parentPath(project.name), name);
  return (
    <Dialog title={`Rename ${project.name}`} submitLabel="Rename" busy={busy} onClose={onClose}
      onSubmit={() => run('projects.update', { project: project.id, name: full }, `Renamed to ${full}`)}>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
    </Dialog>
  );
}

export function MoveProjectDialog({ project, projects, onClose, onDone }: { project: Project; projects: readonly Project[]; onClose: () => void; onDone: () => void }) {
  const [parent, setParent] = useState(parentPath(project.name));
  const { busy, run } = useSubmit('Could not move the project', onDone);
  const full = join(parent, project.basename);
  return (
    <Dialog title={`Move ${project.name}`} submitLabel="Move" busy={busy} onClose={onClose}
      onSubmit={() => run('projects.update', { project: project.id, name: full }, `Moved to ${full}`)}>
      <ParentSelect projects={projects} value={parent} onChange={setParent} exclude={project} />
      <p className="muted">Sub-projects move with it. New path: <code>{full}</code></p>
    </Dialog>
  );
}

export function ArchiveProjectDialog({ project, onClose, onDone }: { project: Project; onClose: () => void; onDone: () => void }) {
  const archived = project.system_tags.includes('archived');
  const { busy, run } = useSubmit(archived ? 'Could not restore the project' : 'Could not archive the project', onDone);
  const tags = archived ? project.system_tags.filter((t) => t !== 'archived') : [...project.system_tags, 'archived'];
  return (
    <Dialog title={`${archived ? 'Restore' : 'Archive'} ${project.name}`} submitLabel={archived ? 'Restore' : 'Archive'} busy={busy} onClose={onClose}
      onSubmit={() => run('projects.update', { project: project.id, system_tags: tags }, `${archived ? 'Restored' : 'Archived'} ${project.name}`)}>
      <p>
        {archived
          ? 'The project returns to the project list.'
          : 'The project leaves the project list; its experiments are kept. Show archived projects to restore it.'}
      </p>
    </Dialog>
  );
}
