import { RestClient, type RestClientOptions } from "@mlflow-ts/client";

/**
 * The client of my-auth (`mlflow.app.client`): logs in for a token, then sends it on every call.
 *
 * @example
 * const client = new MyAuthClient("http://127.0.0.1:5000");
 * await client.login("alice", "secret");
 * await client.request("GET", "/api/2.0/mlflow/experiments/get", { experiment_id: "0" });
 */
export class MyAuthClient extends RestClient {
  constructor(trackingUri: string, options: RestClientOptions = {}) {
    super(trackingUri, options);
  }

  /** Exchanges credentials for a token and uses it from now on; returns the token. */
  async login(username: string, password: string): Promise<string> {
    const { token } = await this.request<{ token: string }>("POST", "/api/custom-auth/login", { username, password });
    this.headers.Authorization = `Bearer ${token}`;
    return token;
  }

  /** Forgets the token. */
  logout(): void {
    delete this.headers.Authorization;
  }
}
