// The one ComponentLoader of the back-office; paths are absolute so AdminJS's bundler finds them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ComponentLoader } from 'adminjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const componentLoader = new ComponentLoader();

export const COMPONENTS = {
  LifecycleAction: componentLoader.add('LifecycleAction', path.join(here, 'components', 'LifecycleAction.tsx')),
  Dashboard: componentLoader.add('Dashboard', path.join(here, 'components', 'Dashboard.tsx')),
  Lines: componentLoader.add('Lines', path.join(here, 'components', 'Lines.tsx')),
  CardImport: componentLoader.add('CardImport', path.join(here, 'components', 'CardImport.tsx')),
  CardUnlink: componentLoader.add('CardUnlink', path.join(here, 'components', 'CardUnlink.tsx')),
  AttendanceAction: componentLoader.add('AttendanceAction', path.join(here, 'components', 'AttendanceAction.tsx')),
  JournalExport: componentLoader.add('JournalExport', path.join(here, 'components', 'JournalExport.tsx')),
  JournalVerify: componentLoader.add('JournalVerify', path.join(here, 'components', 'JournalVerify.tsx')),
  RetentionPreview: componentLoader.add('RetentionPreview', path.join(here, 'components', 'RetentionPreview.tsx')),
  DataExport: componentLoader.add('DataExport', path.join(here, 'components', 'DataExport.tsx')),
};

// AdminJS's own date cells and fields, in French and in Europe/Paris (they format in the browser's zone).
for (const [name, file] of [['DefaultDatetimeListProperty', 'DateTimeList.tsx'], ['DefaultDatetimeShowProperty', 'DateTimeShow.tsx']]) {
  componentLoader.__unsafe_addWithoutChecks(name, path.join(here, 'components', file));
}
