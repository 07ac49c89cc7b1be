import type { Key, ReactNode } from 'react';

export interface Column<T> {
  id: string;
  header: string;
  cell: (row: T) => ReactNode;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
  /** Extra class for the column's cells, e.g. for a width. */
  className?: string;
}

interface DataTableProps<T> {
  /** Read by screen readers; not shown. */
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => Key;
  rowTestId?: string;
  /** Mouse shortcut for the row; keyboard users get a link inside the row. */
  onRowClick?: (row: T) => void;
  isSelected?: (row: T) => boolean;
  /** Extra attributes per row, e.g. data-call-id. */
  rowData?: (row: T) => Record<`data-${string}`, string>;
  testId?: string;
}

export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  rowTestId,
  onRowClick,
  isSelected,
  rowData,
  testId,
}: DataTableProps<T>) {
  return (
    <div className="table-wrap" data-testid={testId}>
      <table className={onRowClick ? 'table table-clickable' : 'table'}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.id} scope="col" className={cellClass(column)}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const selected = isSelected?.(row) ?? false;
            return (
              <tr
                key={rowKey(row)}
                data-testid={rowTestId}
                className={selected ? 'is-selected' : undefined}
                aria-selected={isSelected ? selected : undefined}
                onClick={onRowClick ? () => onRowClick(row) : undefined}
                {...rowData?.(row)}
              >
                {columns.map((column) => (
                  <td key={column.id} className={cellClass(column)}>
                    {column.cell(row)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function cellClass<T>(column: Column<T>): string | undefined {
  const classes = [column.numeric ? 'numeric' : '', column.className ?? '']
    .filter(Boolean)
    .join(' ');
  return classes || undefined;
}
