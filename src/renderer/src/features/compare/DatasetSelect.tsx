import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@renderer/components/ui/Select';

/** A dataset to add to (Compare's "Add to dataset", Results' preference pairs). */
export function DatasetSelect({
  datasets,
  value,
  onChange,
  label,
  placeholder,
  className,
}: {
  datasets: readonly { id: string; name: string }[];
  value: string;
  onChange: (id: string) => void;
  /** The accessible name of the control. */
  label: string;
  placeholder: string;
  className: string;
}) {
  return (
    <Select value={value} onValueChange={onChange}>
      <SelectTrigger aria-label={label} className={className}>
        <SelectValue placeholder={placeholder} />
      </SelectTrigger>
      <SelectContent>
        {datasets.map((d) => (
          <SelectItem key={d.id} value={d.id}>
            {d.name}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}
