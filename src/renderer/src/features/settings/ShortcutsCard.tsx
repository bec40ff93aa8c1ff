import { pages } from '@renderer/app/pages';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@renderer/components/ui/Card';
import { Kbd } from '@renderer/components/ui/Kbd';
import { shortcutLabel } from '@renderer/lib/platform';

export function ShortcutsCard() {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Keyboard</CardTitle>
        <CardDescription>Move around without the mouse. Arrow keys move within the sidebar.</CardDescription>
      </CardHeader>
      <CardContent>
        <ul className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm">
          {pages.map((page, index) => (
            <li key={page.id} className="flex items-center justify-between">
              <span className="text-muted-foreground">{page.label}</span>
              <Kbd>{shortcutLabel(String(index + 1))}</Kbd>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
