import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword, verifyPassword, readAuthConfig } from "@mlflow-ts/basic-auth";
import { startAuthServer, type AuthServer } from "./auth-server.js";

// Hashes made with Werkzeug's algorithms (hashlib.scrypt / pbkdf2_hmac over the salt string's bytes).
const KNOWN = {
  alice: { password: "alice-password-1", hash: "scrypt:32768:8:1$AbCdEfGhIjKlMnOp$89f18701855c8e986c09d320dbba06fda0b98d2a2dd6c632f853b965ef4d56c582b57878f8664ede54d4a2991bcce779349b968bc2a075c9870deb089d7ff86b" },
  carol: { password: "carol-password-3", hash: "pbkdf2:sha256:600000$ZyXwVuTsRqPoNmLk$5ddba2f2aea80826d47021cc2969aa9b3d5a617a1ad4f1cff48b018d3321e8b4" },
  dave: { password: "dave-password-44", hash: "pbkdf2:sha256:260000$Dave0123456789ab$c74afed54a2088405d1d4365b8755048bf027a3f94bd721cba82bfa7310815e6" },
};

describe("Werkzeug password hashes", () => {
  it("verifies scrypt and both pbkdf2 generations, and rejects wrong passwords and junk", async () => {
    for (const { password, hash } of Object.values(KNOWN)) {
      expect(await verifyPassword(password, hash)).toBe(true);
      expect(await verifyPassword(`${password}x`, hash)).toBe(false);
    }
    for (const junk of ["", "plain", "md5$a$b", "scrypt:32768:8:1$salt", "scrypt:0:8:1$s$00", "pbkdf2:sha256:x$s$00"]) expect(await verifyPassword("x", junk)).toBe(false);
  });
  it("writes Werkzeug's scrypt format", async () => {
    const hash = await hashPassword("a-new-password-1");
    expect(hash).toMatch(/^scrypt:32768:8:1\$[A-Za-z0-9]{16}\$[0-9a-f]{128}$/);
    expect(await verifyPassword("a-new-password-1", hash)).toBe(true);
    // Python's hashlib agrees, so MLflow can read what we write.
    const [, salt, hex] = hash.split("$");
    const py = execFileSync("python3", ["-c", `import hashlib;print(hashlib.scrypt(b"a-new-password-1", salt=b"${salt}", n=32768, r=8, p=1, maxmem=132*32768*8, dklen=64).hex())`], { encoding: "utf8" }).trim();
    expect(py).toBe(hex);
  });
});

describe("an existing MLflow-made basic_auth.db", () => {
  let s: AuthServer;
  beforeAll(async () => {
    s = await startAuthServer({
      databaseUri: (dir) => `sqlite:///${path.join(dir, "mlflow_basic_auth.db")}`,
      before: (dir) => {
        // The schema MLflow's Alembic migrations create, with its version table, filled by Python.
        const script = `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
CREATE TABLE alembic_version_auth (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
INSERT INTO alembic_version_auth VALUES ('8606fa83a998');
CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, username VARCHAR(255), password_hash VARCHAR(255), is_admin BOOLEAN, UNIQUE (username));
CREATE TABLE experiment_permissions (id INTEGER NOT NULL PRIMARY KEY, experiment_id VARCHAR(255) NOT NULL, user_id INTEGER NOT NULL, permission VARCHAR(255), CONSTRAINT fk_user_id FOREIGN KEY(user_id) REFERENCES users (id), CONSTRAINT unique_experiment_user UNIQUE (experiment_id, user_id));
CREATE TABLE registered_model_permissions (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, user_id INTEGER NOT NULL, permission VARCHAR(255), CONSTRAINT fk_user_id FOREIGN KEY(user_id) REFERENCES users (id), CONSTRAINT unique_name_user UNIQUE (name, user_id));
""")
rows = [(1, "admin", sys.argv[2], 1), (2, "alice", sys.argv[3], 0), (3, "carol", sys.argv[4], 0), (4, "dave", sys.argv[5], 0)]
db.executemany("INSERT INTO users VALUES (?,?,?,?)", rows)
db.execute("INSERT INTO experiment_permissions (experiment_id, user_id, permission) VALUES ('0', 3, 'NO_PERMISSIONS')")
db.execute("INSERT INTO registered_model_permissions (name, user_id, permission) VALUES ('legacy-model', 2, 'MANAGE')")
db.commit()
`;
        execFileSync("python3", ["-c", script, path.join(dir, "mlflow_basic_auth.db"), KNOWN.alice.hash.replace("alice", "admin"), KNOWN.alice.hash, KNOWN.carol.hash, KNOWN.dave.hash]);
      },
      env: { MLFLOW_AUTH_ADMIN_PASSWORD: "" },
    });
  });
  afterAll(async () => s?.close());

  it("opens as it is: users sign in with their MLflow hashes, grants apply", async () => {
    const alice = s.auth("alice", KNOWN.alice.password);
    expect(await alice.currentUser()).toEqual({ id: 2, username: "alice", is_admin: false });
    expect((await alice.getUser("alice")).registered_model_permissions).toEqual([{ workspace: "default", name: "legacy-model", user_id: 2, permission: "MANAGE" }]);
    expect((await s.auth("dave", KNOWN.dave.password).currentUser()).username).toBe("dave");
    const carol = s.as("carol", KNOWN.carol.password);
    await expect(carol.getExperiment("0")).rejects.toMatchObject({ status: 403 });
    expect((await s.as("dave", KNOWN.dave.password).getExperiment("0")).name).toBe("Default");
    // The admin row came from the file; no admin was bootstrapped, no password printed.
    expect(s.printed).toEqual([]);
    expect((await s.auth("admin", KNOWN.alice.password).listUsers()).map((u) => u.username)).toEqual(["admin", "alice", "carol", "dave"]);
  });
});

describe("configuration and bootstrap", () => {
  it("has no default admin password: generates one, prints it once, stores only its hash", async () => {
    const s = await startAuthServer({ env: { MLFLOW_AUTH_ADMIN_PASSWORD: "" } });
    try {
      expect(s.printed).toHaveLength(1);
      const password = /generated password: (\S+)/.exec(s.printed[0]!)![1]!;
      expect(password.length).toBeGreaterThanOrEqual(20);
      expect((await s.auth("admin", password).currentUser()).is_admin).toBe(true);
      await expect(s.auth("admin", "password1234").currentUser()).rejects.toMatchObject({ status: 401 });
    } finally {
      await s.close();
    }
  });

  it("loads MLflow's stock basic_auth.ini unchanged, without its default admin password", () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "ba-config-"));
    const file = path.join(dir, "basic_auth.ini");
    // MLflow 2.12's packaged file, key for key.
    fs.writeFileSync(
      file,
      "[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///basic_auth.db\nadmin_username = admin\nadmin_password = password\nauthorization_function = mlflow.server.auth:authenticate_request_basic_auth\n",
    );
    const config = readAuthConfig({ MLFLOW_AUTH_CONFIG_PATH: file });
    expect(config.authorizationFunction).toBeUndefined();
    expect(config.adminPassword).toBeUndefined();
    expect(config.warnings.join("\n")).toMatch(/admin_password .* old default 'password' and is ignored/);
    // Only the explicit test switch lets it through.
    expect(readAuthConfig({ MLFLOW_AUTH_CONFIG_PATH: file, MLFLOW_AUTH_ALLOW_INSECURE_PASSWORDS: "true" }).adminPassword).toBe("password");
  });

  it("refuses short admin passwords, naming the key", () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "ba-config-"));
    const file = path.join(dir, "a.ini");
    fs.writeFileSync(file, "[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///x.db\nadmin_username = admin\nadmin_password = password1234\n");
    expect(readAuthConfig({ MLFLOW_AUTH_CONFIG_PATH: file }).adminPassword).toBeUndefined();
    expect(() => readAuthConfig({ MLFLOW_AUTH_CONFIG_PATH: file, MLFLOW_AUTH_ADMIN_PASSWORD: "short" })).toThrow(/MLFLOW_AUTH_ADMIN_PASSWORD.*12 characters/);
    expect(() => readAuthConfig({ MLFLOW_AUTH_CONFIG_PATH: file, MLFLOW_AUTH_ADMIN_PASSWORD: "password1234" })).toThrow(/MLFLOW_AUTH_ADMIN_PASSWORD.*MLflow's default/);
    fs.writeFileSync(file, "[mlflow]\ndefault_permission = ALL\ndatabase_uri = sqlite:///x.db\nadmin_username = admin\nauthorization_function = nope\n");
    expect(() => readAuthConfig({ MLFLOW_AUTH_CONFIG_PATH: file })).toThrow(/default_permission: Invalid permission 'ALL'[\s\S]*authorization_function/);
    expect(readAuthConfig({}).adminPassword).toBeUndefined();
  });
});
