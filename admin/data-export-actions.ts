// « Exporter en CSV » on the back-office lists of users (aidants), structures and habilitation requests: a page
// with the download link carrying the list's filters that the export understands (admin/components/DataExport.tsx);
// the file itself streams from GET /admin/exports/<kind>.csv (admin/data-export-route.ts).
import type { Action, ActionContext, ActionRequest, ActionResponse } from 'adminjs';
import { DATA_EXPORT_FILTERS, DATA_EXPORTS, type DataExportKind } from '../domain/data-exports.js';
import { can } from '../domain/roles.js';
import { COMPONENTS } from './components.js';

const canExport = ({ currentAdmin }: ActionContext) => can(currentAdmin?.roles as string[] | undefined, 'export_data');

/** The resource action (name it `exportCsv`: its French label is shared with the journal's). */
export function dataExportAction(kind: DataExportKind): Partial<Action<ActionResponse>> {
  return {
    actionType: 'resource',
    component: COMPONENTS.DataExport,
    icon: 'Download',
    isAccessible: canExport,
    isVisible: canExport,
    // Read by the component: which export, and which of the list's filters it applies.
    custom: { kind, title: DATA_EXPORTS[kind].title, href: `/admin/exports/${kind}.csv`, filters: DATA_EXPORT_FILTERS[kind] },
    handler: async (_request: ActionRequest, _response: unknown, context: ActionContext) => (context.record ? { record: context.record.toJSON(context.currentAdmin) } : {}),
  };
}
