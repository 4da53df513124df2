export { S3ArtifactRepository, partSizeFor } from "./s3-repository.js";
export { s3Settings } from "./s3-settings.js";
export type { S3Settings } from "./s3-settings.js";
export { s3Error } from "./s3-error.js";
export { prefetchingLister } from "./prefetching-lister.js";
export type { PrefetchingLister, SendListing } from "./prefetching-lister.js";
