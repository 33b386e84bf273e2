import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";
import type { HTMLAttributes, TdHTMLAttributes, ThHTMLAttributes } from "react";

import { ScrollX } from "@/components/ui/scroll-x";
import { cn } from "@/lib/utils/cn";

/**
 * Below `md` a wide table scrolls sideways inside its own container with its first column (what
 * names the row) pinned, rather than widening the page. The pinned cells need an opaque background.
 */
export const PIN_FIRST_COLUMN = "max-md:[&_tr>:first-child]:sticky max-md:[&_tr>:first-child]:left-0 max-md:[&_tr>:first-child]:z-[1] max-md:[&_tr>:first-child]:bg-surface";
/**
 * For a table whose first column is a narrow number (a batch): the second column sticks to the
 * left edge once the first has scrolled away.
 */
export const PIN_SECOND_COLUMN = "max-md:[&_tr>:nth-child(2)]:sticky max-md:[&_tr>:nth-child(2)]:left-0 max-md:[&_tr>:nth-child(2)]:z-[1] max-md:[&_tr>:nth-child(2)]:bg-surface";

/** A plain data table in its own horizontal scroll container; wrap it in a Card for the frame. */
export function Table({ className, pin = 1, ...props }: HTMLAttributes<HTMLTableElement> & { /** The column that names a row, pinned on a phone. */ pin?: 1 | 2 }) {
  return (
    <ScrollX label={props["aria-label"]}>
      <table className={cn("w-full text-left text-sm", pin === 2 ? PIN_SECOND_COLUMN : PIN_FIRST_COLUMN, className)} {...props} />
    </ScrollX>
  );
}

export function TableHead({ className, ...props }: HTMLAttributes<HTMLTableSectionElement>) {
  return <thead className={cn("border-b border-border text-xs uppercase tracking-wide text-fg-muted", className)} {...props} />;
}

export function TableBody(props: HTMLAttributes<HTMLTableSectionElement>) {
  return <tbody {...props} />;
}

export function TableRow({ className, ...props }: HTMLAttributes<HTMLTableRowElement>) {
  return <tr className={cn("border-b border-border last:border-0", className)} {...props} />;
}

/** `plain`: none of the default padding and weight; the caller's className says them all. */
export function TableHeaderCell({ className, scope = "col", plain, ...props }: ThHTMLAttributes<HTMLTableCellElement> & { plain?: boolean }) {
  return <th scope={scope} className={cn(!plain && "px-4 py-3 font-medium", className)} {...props} />;
}

export function TableCell({ className, ...props }: TdHTMLAttributes<HTMLTableCellElement>) {
  return <td className={cn("px-4 py-2", className)} {...props} />;
}

export type SortDirection = "asc" | "desc";

interface SortableHeaderCellProps extends Omit<ThHTMLAttributes<HTMLTableCellElement>, "onClick"> {
  label: string;
  /** This column's direction when the table is sorted by it, else null. */
  direction: SortDirection | null;
  onSort: () => void;
}

/**
 * A column header that sorts on click. The direction is carried by `aria-sort` and an arrow
 * icon, so it is announced and visible without relying on colour.
 */
export function SortableHeaderCell({ label, direction, onSort, className, ...props }: SortableHeaderCellProps) {
  const Icon = direction === "asc" ? ArrowUp : direction === "desc" ? ArrowDown : ArrowUpDown;
  return (
    <TableHeaderCell aria-sort={direction === "asc" ? "ascending" : direction === "desc" ? "descending" : "none"} plain className={cn("p-0", className)} {...props}>
      <button
        type="button"
        onClick={onSort}
        className={cn(
          "flex w-full items-center gap-1 px-4 py-3 text-left font-medium uppercase tracking-wide hover:text-fg focus-visible:outline-2 focus-visible:outline-accent",
          direction && "text-fg",
        )}
      >
        {label}
        <Icon aria-hidden className={cn("size-3.5 shrink-0", !direction && "opacity-40")} />
      </button>
    </TableHeaderCell>
  );
}
