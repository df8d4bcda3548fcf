/** Shared memory (spec 3.1.2, 6.2.2, 6.4.1): regions and lock-free rings; see runtime/shm/README.md. */
export {
  createRegion,
  openRegion,
  createAnonymousRegion,
  openRegionFromFd,
  listRegions,
  removeRegion,
  removeStaleRegions,
  regionPath,
  SharedRegion,
  SHM_DIR,
  REGION_HEADER_BYTES,
  MAX_REGION_BYTES,
  MAX_REGION_OWNERS,
  type CreateRegionOptions,
  type RegionInfo,
} from "./region.js";
export { processAlive, processStartTime } from "./process-identity.js";
export { SpscByteRing } from "./byte-ring.js";
export { SpscRing } from "./slot-ring.js";
export { MpmcQueue } from "./mpmc-queue.js";
export { PayloadSlab, type PayloadRef } from "./payload-slab.js";
