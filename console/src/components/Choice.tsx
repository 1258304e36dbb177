import { Group, Radio } from "@mantine/core";

/** A few exclusive options as real, visible radio buttons (found by role "radio" and their label). */
export function Choice<T extends string>({ label, value, options, onChange, labels }: {
  label: string;
  value: T;
  options: readonly T[];
  onChange: (value: T) => void;
  labels?: Partial<Record<T, string>>;
}) {
  return (
    <Radio.Group label={label} value={value} onChange={(next) => onChange(next as T)}>
      <Group gap="md" mt={4}>
        {options.map((option) => <Radio key={option} value={option} label={labels?.[option] ?? option} size="sm" />)}
      </Group>
    </Radio.Group>
  );
}
