import type { ComponentType } from 'react';
import { ArtifactsTab } from './tabs/ArtifactsTab';
import { ConfigurationTab } from './tabs/ConfigurationTab';
import { ConsoleTab } from './tabs/ConsoleTab';
import { DebugSamplesTab } from './tabs/DebugSamplesTab';
import { ExecutionTab } from './tabs/ExecutionTab';
import { InfoTab } from './tabs/InfoTab';
import { ModelsTab } from './tabs/ModelsTab';
import { PlotsTab } from './tabs/PlotsTab';
import { ScalarsTab } from './tabs/ScalarsTab';
import type { TaskDetail } from './types';

export interface TabProps {
  task: TaskDetail;
  /** moves whenever the experiment changed, so the tab reloads what it shows */
  version: number;
  projectName: string | undefined;
  onChanged: () => void;
}

// The tabs are in the page's own chunk, uPlot included: a lazy tab would hold its first
// draw back by React's Suspense reveal throttle (300 ms). Plotly, far larger, loads on
// first use (plots/PlotlyFigure.tsx).
export const TABS: readonly { key: string; label: string; Tab: ComponentType<TabProps> }[] = [
  { key: 'execution', label: 'Execution', Tab: ExecutionTab },
  { key: 'configuration', label: 'Configuration', Tab: ConfigurationTab },
  { key: 'artifacts', label: 'Artifacts', Tab: ArtifactsTab },
  { key: 'models', label: 'Models', Tab: ModelsTab },
  { key: 'info', label: 'Info', Tab: InfoTab },
  { key: 'console', label: 'Console', Tab: ConsoleTab },
  { key: 'scalars', label: 'Scalars', Tab: ScalarsTab },
  { key: 'plots', label: 'Plots', Tab: PlotsTab },
  { key: 'debug', label: 'Debug samples', Tab: DebugSamplesTab },
];

export function TabBar({ current, onPick }: { current: string; onPick: (key: string) => void }) {
  return (
    <div className="exp-tabs" role="tablist" aria-label="Experiment sections">
      {TABS.map((t) => (
        <button key={t.key} type="button" role="tab" id={`tab-${t.key}`} aria-selected={t.key === current} aria-controls="exp-tabpanel"
          className={t.key === current ? 'exp-tab active' : 'exp-tab'} onClick={() => onPick(t.key)}>
          {t.label}
        </button>
      ))}
    </div>
  );
}

export function TabPanel({ current, ...props }: TabProps & { current: string }) {
  const { Tab } = TABS.find((t) => t.key === current) ?? TABS[0];
  return (
    <div className="exp-tabpanel" role="tabpanel" id="exp-tabpanel" aria-labelledby={`tab-${current}`}>
      <Tab {...props} />
    </div>
  );
}
