/**
 * Whether a GraphQL document defines a mutation (or a subscription: anything but a query). Reads
 * the document's top level only — comments, strings and selection sets are skipped — so a field
 * or argument named `mutation` inside a query does not count. Undefined when there is no document.
 *
 * @example
 * graphqlHasMutation("query { experiment(id: 1) { name } }"); // false
 * graphqlHasMutation("# note\nmutation M { renameRun(id: 1) }"); // true
 */
export function graphqlHasMutation(document: unknown): boolean | undefined {
  if (typeof document !== "string") return undefined;
  let depth = 0;
  let i = 0;
  const n = document.length;
  while (i < n) {
    const c = document[i]!;
    if (c === "#") {
      while (i < n && document[i] !== "\n" && document[i] !== "\r") i += 1;
    } else if (c === '"') {
      if (document.startsWith('"""', i)) {
        const end = document.indexOf('"""', i + 3);
        i = end < 0 ? n : end + 3;
        continue;
      }
      for (i += 1; i < n && document[i] !== '"' && document[i] !== "\n"; i += 1) if (document[i] === "\\") i += 1;
      i += 1;
      continue;
    } else if (c === "{") depth += 1;
    else if (c === "}") depth = Math.max(0, depth - 1);
    else if (depth === 0 && /[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(document[j]!)) j += 1;
      const word = document.slice(i, j);
      if (word === "mutation" || word === "subscription") return true;
      i = j;
      continue;
    }
    i += 1;
  }
  return false;
}
