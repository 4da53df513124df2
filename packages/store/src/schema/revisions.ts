/**
 * MLflow's Alembic revision chain of the tracking database, oldest first (shared/spec
 * mlflow-sql-schema.md §2). A database's `alembic_version` names one of these; everything up to it
 * exists in the database.
 */
export const REVISIONS = [
  "451aebb31d03",
  "90e64c465722",
  "181f10493468",
  "df50e92ffc5e",
  "7ac759974ad8",
  "89d4b8295536",
  "2b4d017a5e9b",
  "cfd24bdc0731",
  "0a8213491aaa",
  "728d730b5ebd",
  "27a6a02d2cf1",
  "84291f40a231",
  "a8c4a736bde6",
  "39d1c3be5f05",
  "c48cb773bb87",
  "bd07f7e963c5",
  "0c779009ac13",
  "cc1f77228345",
  "97727af70f4d",
  "3500859a5d39",
  "7f2a7d5fae7d",
  "2d6e25af4d3e",
  "acf3f17fdcc7",
  "867495a8f9d4",
  "5b0e9adcef9c",
  "4465047574b1",
  "f5a4f2784254",
  "0584bdc529eb",
  "400f98739977",
  "6953534de441",
  "bda7b8c39065",
  "cbc13b556ace",
  "770bee3ae1dd",
  "a1b2c3d4e5f6",
  "de4033877273",
  "1a0cddfcaa16",
  "534353b11cbc",
  "71994744cf8e",
  "3da73c924c2f",
  "bf29a5ff90ea",
  "1bd49d398cd23",
  "b7c8d9e0f1a2",
  "5d2d30f0abce",
  "c9d4e5f6a7b8",
  "2c33131f4dae",
  "d3e4f5a6b7c8",
  "d0e1f2a3b4c5",
  "c8d9e0f1a2b3",
  "1b5f0d9ad7c1",
  "e1f2a3b4c5d6",
  "76601a5f987d",
  "c3d6457b6d8a",
  "a5b4c3d2e1f0",
  "ae8bbe7743c9",
  "7d34483879f0",
] as const;

/** A revision of the chain. */
export type Revision = (typeof REVISIONS)[number];

/** The oldest revision served in place: MLflow 2.8.0 – 2.12.2 (so every release from 2.9 on). */
export const OLDEST_SERVED: Revision = "acf3f17fdcc7";

/**
 * The revision new databases are created at and `mlflow db upgrade` brings older ones to: MLflow
 * 3.5.0 – 3.7.x, the last before the AI-gateway tables of 3.8 (whose secrets need MLflow's key
 * scheme) and the 3.9/3.10 renames and workspace keys. It has the trace, assessment, span,
 * webhook, scorer, evaluation-dataset and job tables. MLflow's server of those releases opens such
 * a database as it is; newer MLflow servers upgrade it themselves.
 */
export const NEWEST: Revision = "bf29a5ff90ea";

/** The MLflow releases whose head is a revision, for messages (spec §1.2). */
export const RELEASE_OF: Readonly<Partial<Record<Revision, string>>> = {
  acf3f17fdcc7: "MLflow 2.8.0–2.12.2",
  "867495a8f9d4": "MLflow 2.13.0",
  "5b0e9adcef9c": "MLflow 2.13.1–2.14.3",
  "4465047574b1": "MLflow 2.15.0–2.16.2",
  f5a4f2784254: "MLflow 2.17.x",
  "0584bdc529eb": "MLflow 2.18–2.22",
  "400f98739977": "MLflow 3.0",
  "6953534de441": "MLflow 3.0.0–3.1.0",
  bda7b8c39065: "MLflow 3.0.1, 3.1.1–3.1.4",
  "770bee3ae1dd": "MLflow 3.2.0",
  "1a0cddfcaa16": "MLflow 3.3.x",
  "71994744cf8e": "MLflow 3.4.0",
  bf29a5ff90ea: "MLflow 3.5.0–3.7.x",
  "1bd49d398cd23": "MLflow 3.8.x",
  d3e4f5a6b7c8: "MLflow 3.9.0",
  "1b5f0d9ad7c1": "MLflow 3.10.x",
  c3d6457b6d8a: "MLflow 3.11.1",
  "7d34483879f0": "MLflow master (2026-04)",
};

/**
 * The position of a revision in the chain, or -1 for one this server does not know (newer than it).
 *
 * @example
 * revisionIndex("acf3f17fdcc7") < revisionIndex("bf29a5ff90ea"); // true
 */
export function revisionIndex(revision: string): number {
  return (REVISIONS as readonly string[]).indexOf(revision);
}

/**
 * A revision as people know it: the id and the releases that end there.
 *
 * @example
 * describeRevision("acf3f17fdcc7"); // "acf3f17fdcc7 (MLflow 2.8.0–2.12.2)"
 */
export function describeRevision(revision: string): string {
  const release = RELEASE_OF[revision as Revision];
  return release ? `${revision} (${release})` : revision;
}
