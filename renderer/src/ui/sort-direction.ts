/** A sorted column's direction, as `aria-sort` names it, and the arrow its header shows. */
export function sortDirection(sort: { readonly descending: boolean }): 'descending' | 'ascending' {
  return sort.descending ? 'descending' : 'ascending';
}

export const sortArrows = { descending: ' ↓', ascending: ' ↑' } as const;
