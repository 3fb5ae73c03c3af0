/**
 * The kubelet's node Lease heartbeat.
 *
 * @example const lease = new NodeLease(client, nodeName, { log }); lease.start();
 */
export { NodeLease, LEASES, NODE_LEASE_NAMESPACE, NODE_LEASE_DURATION_SECONDS, NODE_LEASE_RENEW_FRACTION, nowMicros, type NodeLeaseOptions } from "./node-lease.js";
