import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

/**
 * Every page of the app. A new page is one file under src/pages/ (default export:
 * a component taking the route's params) plus one entry here; entries with `nav`
 * appear in the left navigation in this order.
 */
export interface PageProps {
  params: Record<string, string>;
}

export interface Route {
  path: string;
  page: LazyExoticComponent<ComponentType<PageProps>>;
  nav?: { label: string; icon: string };
}

export const ROUTES: readonly Route[] = [
  { path: '/projects', page: lazy(() => import('../pages/Projects')), nav: { label: 'Projects', icon: '▤' } },
  { path: '/experiments', page: lazy(() => import('../pages/Experiments')), nav: { label: 'Experiments', icon: '≣' } },
  { path: '/experiments/:id', page: lazy(() => import('../pages/Experiment')) },
  // The results page link the clearml SDK prints when a run starts.
  { path: '/projects/:project/tasks/:id/output/:section', page: lazy(() => import('../pages/Experiment')) },
  { path: '/compare', page: lazy(() => import('../pages/Compare')) },
  { path: '/models', page: lazy(() => import('../pages/Models')), nav: { label: 'Models', icon: '◈' } },
  { path: '/models/:id', page: lazy(() => import('../pages/Model')) },
  { path: '/datasets', page: lazy(() => import('../pages/Datasets')), nav: { label: 'Datasets', icon: '▦' } },
  // The dataset page link the clearml SDK prints ("ClearML dataset page: …").
  { path: '/datasets/simple/:project', page: lazy(() => import('../pages/Dataset')) },
  { path: '/datasets/simple/:project/experiments/:id', page: lazy(() => import('../pages/Dataset')) },
  { path: '/pipelines', page: lazy(() => import('../pages/Pipelines')), nav: { label: 'Pipelines', icon: '⇶' } },
  // The pipeline page link the clearml SDK prints ("ClearML pipeline page: …").
  { path: '/pipelines/:project', page: lazy(() => import('../pages/Pipeline')) },
  { path: '/pipelines/:project/experiments/:id', page: lazy(() => import('../pages/Pipeline')) },
  { path: '/queues', page: lazy(() => import('../pages/Orchestration')), nav: { label: 'Queues', icon: '☰' } },
  { path: '/workers', page: lazy(() => import('../pages/Orchestration')), nav: { label: 'Workers', icon: '⚒' } },
  { path: '/settings', page: lazy(() => import('../pages/Settings')), nav: { label: 'Settings', icon: '⚙' } },
  // Where `clearml-init` sends new users to create credentials.
  { path: '/settings/workspace-configuration', page: lazy(() => import('../pages/Settings')) },
];

/** Where `/` and unknown sign-in targets lead. */
export const HOME = '/projects';
