import GrantDomain
import GrantService
import LedgerCore
import LedgerCrypto

/// A store that passes every call to another (`forwarded`) but those its type implements itself: how a test makes a
/// store lose races, or not hear of others' appends, around a real one.
protocol ForwardingStorage: LogStorage {
    var forwarded: any LogStorage { get }
}

extension ForwardingStorage {
    var isShared: Bool { forwarded.isShared }
    func mayHaveEntries(after size: UInt64) -> Bool { forwarded.mayHaveEntries(after: size) }
    func load(rules: GrantRules) throws(ServiceError) -> (VerificationReport, Replayer<GrantRules>) {
        try forwarded.load(rules: rules)
    }
    func append(_ entries: [Entry], expecting expected: LogHead) throws(ServiceError) -> LogHead? {
        try forwarded.append(entries, expecting: expected)
    }
    func entries(after size: UInt64) throws(ServiceError) -> [Entry] { try forwarded.entries(after: size) }
    func leafHash(seq: UInt64) throws(ServiceError) -> Digest { try forwarded.leafHash(seq: seq) }
    func resource(_ path: TilePath, size: UInt64) throws(ServiceError) -> [UInt8] {
        try forwarded.resource(path, size: size)
    }
    func signCheckpoint(keys: KeyRegistry, size: UInt64, key: Ed25519PrivateKey) throws(ServiceError)
        -> SignedCheckpoint
    {
        try forwarded.signCheckpoint(keys: keys, size: size, key: key)
    }
    func latestCheckpoint() throws(ServiceError) -> [UInt8]? { try forwarded.latestCheckpoint() }
    func checkpoint(size: UInt64) throws(ServiceError) -> [UInt8]? { try forwarded.checkpoint(size: size) }
    func scdlIdentifiers() throws(ServiceError) -> [UInt8]? { try forwarded.scdlIdentifiers() }
    func inclusionProof(seq: UInt64, checkpoint: [UInt8]) throws(ServiceError) -> (InclusionProof, [UInt8]) {
        try forwarded.inclusionProof(seq: seq, checkpoint: checkpoint)
    }
    func consistencyProof(old: [UInt8], new: [UInt8]) throws(ServiceError) -> ConsistencyProof {
        try forwarded.consistencyProof(old: old, new: new)
    }
    func decisionBundle(applicationID: String, checkpoint: [UInt8], state: GrantState, keys: KeyRegistry)
        throws(ServiceError) -> DecisionBundle
    {
        try forwarded.decisionBundle(applicationID: applicationID, checkpoint: checkpoint, state: state, keys: keys)
    }
    func logPrefix(size: UInt64) throws(ServiceError) -> [UInt8] { try forwarded.logPrefix(size: size) }
    func root(size: UInt64) throws(ServiceError) -> Digest { try forwarded.root(size: size) }
}
