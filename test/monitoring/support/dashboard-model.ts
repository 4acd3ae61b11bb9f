import {
  VariableType,
  type Dashboard,
  type GridPos,
  type Panel,
  type RowPanel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { allPanels } from './sources.js';

/** The grid is 24 columns wide. */
const GRID_WIDTH = 24;
/** The oldest schema a dashboard may declare: Grafana 9.x; older ones are migrated on load. */
const MIN_SCHEMA_VERSION = 36;

const describe = (panel: Panel | RowPanel) => `panel ${panel.id} "${panel.title}"`;
const isInteger = (value: unknown): value is number => Number.isInteger(value);

function gridProblems(panel: Panel | RowPanel): string[] {
  const grid = panel.gridPos as Partial<GridPos> | undefined;
  if (!grid) return [`${describe(panel)}: no gridPos`];
  const { x, y, w, h } = grid;
  if (![x, y, w, h].every(isInteger)) return [`${describe(panel)}: gridPos is not four integers`];
  if (x! < 0 || y! < 0 || w! < 1 || h! < 1 || x! + w! > GRID_WIDTH) {
    return [`${describe(panel)}: gridPos ${JSON.stringify(grid)} is off the 24-column grid`];
  }
  return [];
}

function overlaps(a: GridPos, b: GridPos): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function queryProblems(panel: Panel, datasource: string): string[] {
  const at = describe(panel);
  const problems: string[] = [];
  const wanted = { type: 'prometheus', uid: `\${${datasource}}` };
  if (JSON.stringify(panel.datasource) !== JSON.stringify(wanted)) {
    problems.push(`${at}: datasource is not the $${datasource} variable`);
  }
  const targets = (panel.targets ?? []) as {
    refId?: string;
    expr?: unknown;
    datasource?: unknown;
  }[];
  if (targets.length === 0) problems.push(`${at}: no targets`);
  const refIds = targets.map((target) => target.refId);
  if (new Set(refIds).size !== refIds.length || refIds.some((id) => !id)) {
    problems.push(`${at}: target refIds are missing or repeated: ${JSON.stringify(refIds)}`);
  }
  for (const target of targets) {
    if (typeof target.expr !== 'string' || target.expr.trim() === '') {
      problems.push(`${at}: target ${target.refId} has no expr`);
    }
    if (target.datasource && JSON.stringify(target.datasource) !== JSON.stringify(wanted)) {
      problems.push(`${at}: target ${target.refId} reads another datasource`);
    }
  }
  return problems;
}

/**
 * What Grafana needs to import and draw the dashboard as intended: a uid and title, a schema it
 * knows, a Prometheus datasource variable that every panel and query uses, panels with unique
 * ids placed on the 24-column grid without overlapping and listed in reading order, rows that
 * are either collapsed (panels inside) or open (panels after them), and queries with an
 * expression and a unique refId.
 */
export function dashboardModelProblems(dashboard: Dashboard): string[] {
  const problems: string[] = [];
  if (typeof dashboard.uid !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(dashboard.uid)) {
    problems.push(`uid ${JSON.stringify(dashboard.uid)} is not 1-40 letters, digits, - or _`);
  }
  if (typeof dashboard.title !== 'string' || dashboard.title.trim() === '') {
    problems.push('no title');
  }
  if (!isInteger(dashboard.schemaVersion) || dashboard.schemaVersion < MIN_SCHEMA_VERSION) {
    problems.push(`schemaVersion ${dashboard.schemaVersion} is older than ${MIN_SCHEMA_VERSION}`);
  }
  const variable = (dashboard.templating?.list ?? []).find(
    (v) => v.type === VariableType.Datasource && v.query === 'prometheus',
  );
  if (!variable) problems.push('no Prometheus datasource variable');
  const panels = allPanels(dashboard);
  if (panels.length === 0) problems.push('no panels');

  const ids = panels.map((panel) => panel.id);
  for (const id of ids.filter((id, index) => !isInteger(id) || ids.indexOf(id) !== index)) {
    problems.push(`panel id ${id} is missing or not unique`);
  }
  for (const panel of panels) {
    problems.push(...gridProblems(panel));
    if (panel.type === 'row') {
      const row = panel as RowPanel;
      if (!row.collapsed && row.panels.length > 0) {
        problems.push(`${describe(row)}: an open row must not hold panels (they follow it)`);
      }
    } else if (!panel.type) {
      problems.push(`${describe(panel)}: no type`);
    } else {
      problems.push(...queryProblems(panel, variable?.name ?? 'datasource'));
    }
  }
  const top = dashboard.panels ?? [];
  top.forEach((panel, index) => {
    const previous = top[index - 1]?.gridPos;
    const grid = panel.gridPos;
    if (
      previous &&
      grid &&
      (grid.y < previous.y || (grid.y === previous.y && grid.x < previous.x))
    ) {
      problems.push(`${describe(panel)}: listed after a panel placed below or right of it`);
    }
    for (const other of top.slice(index + 1)) {
      if (grid && other.gridPos && overlaps(grid, other.gridPos)) {
        problems.push(`${describe(panel)} overlaps ${describe(other)}`);
      }
    }
  });
  return problems;
}

/** The titles of the dashboard's rows, top to bottom. */
export function rowTitles(dashboard: Dashboard): string[] {
  return (dashboard.panels ?? []).filter((p) => p.type === 'row').map((p) => p.title ?? '');
}
