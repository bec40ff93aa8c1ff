import type { ReactNode } from 'react';
import type { AppInfo } from '@shared/domain';
import { Badge } from '@renderer/components/ui/Badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@renderer/components/ui/Card';
import { Skeleton } from '@renderer/components/ui/Skeleton';
import { useApiQuery } from '@renderer/lib/useApiQuery';

const hostLabels: Record<AppInfo['host'], string> = {
  electron: 'Desktop app',
  server: 'Browser (server mode)',
  test: 'Test host',
};

export function AboutCard() {
  const info = useApiQuery('app.info', {}, { staleTime: Infinity });
  const data = info.data;
  return (
    <Card aria-labelledby="about-title">
      <CardHeader>
        <div className="flex items-center gap-2">
          <CardTitle id="about-title">About Lathe</CardTitle>
          {data && <Badge variant="secondary">v{data.version}</Badge>}
        </div>
        <CardDescription>Versions and locations, for bug reports.</CardDescription>
      </CardHeader>
      <CardContent>
        {info.isError ? (
          <p className="text-sm text-muted-foreground">Could not load: {info.error.message}</p>
        ) : (
          <dl className="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-2.5 text-sm">
            <Row label="Version">{data?.version}</Row>
            <Row label="Running as">{data && hostLabels[data.host]}</Row>
            <Row label="Platform">{data && `${data.platform} (${data.arch})`}</Row>
            <Row label="Data folder" mono>
              {data?.dataDir}
            </Row>
            <Row label="Node.js">{data?.versions.node}</Row>
            <Row label="Electron">{data && (data.versions.electron ?? 'Not used')}</Row>
            <Row label="SQLite">{data?.versions.sqlite}</Row>
            <Row label="Database schema">{data && `Version ${data.schemaVersion}`}</Row>
          </dl>
        )}
      </CardContent>
    </Card>
  );
}

function Row({ label, mono, children }: { label: string; mono?: boolean; children: ReactNode }) {
  return (
    <>
      <dt className="text-muted-foreground">{label}</dt>
      <dd className={mono ? 'font-mono text-[13px] break-all' : undefined}>
        {children ?? <Skeleton className="h-4 w-32" />}
      </dd>
    </>
  );
}
