/** The version this server reports at `/version`. */
export const SERVER_VERSION = "0.1.0";
