// A Python string literal: JSON's escapes are Python's for every character a model name may hold.
const literal = (text: string) => JSON.stringify(text);

/**
 * The Python that loads a registered model's version: `mlflow.pyfunc.load_model` with the version's
 * URI (`models:/<name>/<version>`), the alias form (`models:/<name>@<alias>`) for each alias that
 * points at it, and the flavor's own loader (`mlflow.sklearn.load_model`) when MLmodel names one.
 *
 * @example
 * loadSnippet("churn", "3", ["champion"], "mlflow.sklearn");
 * // import mlflow
 * //
 * // model = mlflow.pyfunc.load_model("models:/churn/3")
 * // # or by alias: whichever version @champion points at (version 3 today)
 * // model = mlflow.pyfunc.load_model("models:/churn@champion")
 * // …
 */
export function loadSnippet(name: string, version: string, aliases: readonly string[], loaderModule?: string): string {
  const lines = ["import mlflow", "", `model = mlflow.pyfunc.load_model(${literal(`models:/${name}/${version}`)})`];
  for (const [i, alias] of aliases.entries()) {
    if (i === 0) lines.push(`# or by alias: whichever version @${alias} points at (version ${version} today)`);
    lines.push(`model = mlflow.pyfunc.load_model(${literal(`models:/${name}@${alias}`)})`);
  }
  lines.push("predictions = model.predict(data)");
  // The native object (an sklearn estimator, a torch module) through its flavor's own loader.
  if (loaderModule && /^mlflow\.[a-z_][a-z0-9_.]*$/i.test(loaderModule) && loaderModule !== "mlflow.pyfunc.model") {
    lines.push("", `# the ${loaderModule.slice("mlflow.".length)} object itself`, `native = ${loaderModule}.load_model(${literal(`models:/${name}/${version}`)})`);
  }
  return lines.join("\n");
}
