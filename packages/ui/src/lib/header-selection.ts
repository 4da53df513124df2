/**
 * The "Select all" checkbox of a table: ticked, half-ticked, or neither.
 *
 * @example
 * const { checked, indeterminate }: HeaderSelection = headerSelection(shownIds, selected);
 */
export interface HeaderSelection {
  readonly checked: boolean;
  readonly indeterminate: boolean;
}

/**
 * The state of a table's "Select all" checkbox over the rows shown: ticked when every one is
 * selected, half-ticked when some are. Selected rows not shown (children of a collapsed parent)
 * do not count: the checkbox speaks of what the user sees, as a click on it acts on that only.
 *
 * @example
 * headerSelection(["a", "b"], new Set(["a", "hidden-child"])); // { checked: false, indeterminate: true }
 */
export function headerSelection(shown: readonly string[], selected: ReadonlySet<string>): HeaderSelection {
  let n = 0;
  for (const id of shown) if (selected.has(id)) n += 1;
  return { checked: n > 0 && n === shown.length, indeterminate: n > 0 && n < shown.length };
}
