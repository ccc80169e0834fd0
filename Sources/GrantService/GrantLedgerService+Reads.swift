import Foundation
import GrantDomain
import GrantPublishing
import LedgerCore
public import LedgerCrypto
import Synchronization

extension GrantLedgerService {
    /// `GET /v1/logs`: every log, its origin, title and head.
    public func listLogs() -> ServiceReply {
        let items: [JSONValue] = logs.keys.sorted().map { name in
            let log = logs[name]!
            let keys = log.keys
            let (origin, title) = (keys.origin, keys.title)
            var object = log.head.json
            object["name"] = .string(name)
            object["origin"] = origin.map { .string($0) } ?? .null
            object["title"] = title.map { .string($0) } ?? .null
            return .object(object)
        }
        return .json(["logs": .array(items)])
    }

    /// `GET /v1/logs/{log}/keys`: the key registry, in registration order.
    public func keys(log name: String) throws(ServiceError) -> ServiceReply {
        let log = try log(name)
        let records = log.keys.sortedRecords
        let items: [JSONValue] = records.map { record in
            [
                "key_id": .string(record.keyID), "public_key": .string(PublicKeyText.encode(record.publicKey)),
                "role": .string(record.role.rawValue), "territories": .array(record.territories.map { .string($0) }),
                "holder": .string(record.holder), "registered_at": .integer(record.registeredAt),
                "revoked_at": record.revokedAt.map { .integer($0) } ?? .null,
                "revocation_reason": record.revocationReason.map { .string($0) } ?? .null,
            ]
        }
        return .json(["keys": .array(items)])
    }

    /// `GET /v1/logs/{log}/applications/{id}`: the application's state, its entries, and the current version of
    /// its call (the entries a client needs to build a decision against them).
    public func application(log name: String, id: String) async throws(ServiceError) -> ServiceReply {
        let log = try log(name)
        let found = try await log.withState {
            (state, head) throws(ServiceError) -> (ApplicationState, CallVersion?, UInt64)? in
            guard let app = state.domain.state.applications[id] else { return nil }
            return (app, state.domain.state.calls[app.application.callID]?.current, head.size)
        }
        guard let (app, call, size) = found else {
            throw ServiceError(.notFound, "le registre \(name) n'a pas de dossier \(id)")
        }
        let seqs = app.history.map { UInt64($0.seq) } + (call.map { [UInt64($0.seq)] } ?? [])
        let lines = try await log.read { (storage) throws(ServiceError) in try storage.lines(seqs: seqs, size: size) }
        func entry(_ seq: Int64) -> JSONValue {
            lines[UInt64(seq)].flatMap { try? JSONParser.parse($0) } ?? .null
        }
        var object: [String: JSONValue] = [
            "application_id": .string(id), "call_id": .string(app.application.callID),
            "status": .string(app.status.rawValue), "status_label": .string(app.status.label),
            "weighted_score": app.weightedScore.map { .integer($0) } ?? .null,
            "paid_cents": .integer(app.paidCents),
            "entries": .array(app.history.map { entry($0.seq) }),
        ]
        if let call {
            object["call"] = [
                "call_id": .string(call.call.callID), "version": .string(call.hash), "entry": entry(call.seq),
            ]
        }
        return .json(.object(object))
    }

    /// The latest signed checkpoint, required by proofs and bundles.
    /// The latest signed checkpoint. On a shared store another node may have signed it past this node's state:
    /// the node catches up first, so that proofs and bundles against it can be made.
    private func latestCheckpoint(_ log: ServedLog) async throws(ServiceError) -> [UInt8] {
        guard let text = try await log.read({ (storage) throws(ServiceError) in try storage.latestCheckpoint() }) else {
            throw ServiceError(.notFound, "le registre \(log.name) n'a pas encore publié de point de contrôle signé")
        }
        try await log.refresh()
        return text
    }

    /// `GET /v1/logs/{log}/applications/{id}/bundle`: the decision bundle against the latest checkpoint
    /// (docs/PROOFS.md §8).
    public func bundle(log name: String, id: String) async throws(ServiceError) -> ServiceReply {
        let log = try log(name)
        let checkpoint = try await latestCheckpoint(log)
        let (state, keys) = try await log.withState { (replayer, _) throws(ServiceError) in
            (replayer.domain.state, replayer.keys)
        }
        let bundle = try await log.read { (storage) throws(ServiceError) in
            try storage.decisionBundle(applicationID: id, checkpoint: checkpoint, state: state, keys: keys)
        }
        return ServiceReply(contentType: "application/json", body: bundle.bytes)
    }

    /// `GET /v1/logs/{log}/proof/inclusion?seq=N`: entry N's inclusion proof against the latest checkpoint, in the
    /// JSON of docs/PROOFS.md §4.
    public func inclusionProof(log name: String, seq: String?) async throws(ServiceError) -> ServiceReply {
        let log = try log(name)
        guard let seq = seq.flatMap({ UInt64($0) }) else {
            throw ServiceError(.badRequest, "le paramètre seq doit être un entier positif ou nul")
        }
        let checkpoint = try await latestCheckpoint(log)
        let (proof, line) = try await log.read { (storage) throws(ServiceError) in
            try storage.inclusionProof(seq: seq, checkpoint: checkpoint)
        }
        return ServiceReply(
            contentType: "application/json", body: Array((LedgerProofs.json(proof, line: line) + "\n").utf8))
    }

    /// `GET /v1/logs/{log}/proof/consistency?from=M`: from the checkpoint the log signed at size M to the latest.
    public func consistencyProof(log name: String, from: String?) async throws(ServiceError) -> ServiceReply {
        let log = try log(name)
        guard let size = from.flatMap({ UInt64($0) }) else {
            throw ServiceError(.badRequest, "le paramètre from doit être la taille d'un point de contrôle signé")
        }
        let new = try await latestCheckpoint(log)
        guard let old = try await log.read({ (storage) throws(ServiceError) in try storage.checkpoint(size: size) })
        else {
            throw ServiceError(.notFound, "le registre \(name) n'a pas signé de point de contrôle de taille \(size)")
        }
        let proof = try await log.read { (storage) throws(ServiceError) in
            try storage.consistencyProof(old: old, new: new)
        }
        return ServiceReply(contentType: "application/json", body: Array((LedgerProofs.json(proof) + "\n").utf8))
    }

    /// What figures and exports are computed from: the state as acknowledged, named by its log identity, computed
    /// once per log size. Refused for a log that did not verify at start, as `grant-ledger stats` refuses.
    private func snapshot(_ log: ServedLog) async throws(ServiceError) -> LedgerSnapshot {
        if let failure = log.verificationFailure {
            throw ServiceError(.unavailable, failure + " ; aucun chiffre n'en est publié")
        }
        let (state, keys, head) = try await log.withState { (replayer, head) throws(ServiceError) in
            (replayer.domain.state, replayer.keys, head)
        }
        if let cached = publications.withLock({ $0[log.name] }), cached.size == head.size { return cached.snapshot }
        let (bytes, root, checkpoint) = try await log.read { (storage) throws(ServiceError) in
            (
                try storage.logPrefix(size: head.size), try storage.root(size: head.size),
                try storage.latestCheckpoint()
            )
        }
        let identity = LogIdentity(
            origin: keys.origin ?? "", title: keys.title ?? "", size: Int64(head.size),
            headSeq: head.size > 0 ? Int64(head.size) - 1 : nil, headHash: head.size > 0 ? head.hash.hex : "",
            headTime: head.time, rootHash: root.hex, byteCount: bytes.count, fileSHA256: SHA256.hash(bytes).hex)
        let snapshot = LedgerSnapshot(
            identity: identity, state: state, keys: keys, logBytes: bytes, checkpoint: checkpoint)
        publications.withLock { $0[log.name] = Publication(size: head.size, snapshot: snapshot) }
        return snapshot
    }

    /// `GET /v1/logs/{log}/stats?call=&by=&format=`: the funding statistics of docs/PUBLISHING.md, as
    /// `grant-ledger stats` prints them.
    public func stats(log name: String, call: String?, by: String?, format: String?) async throws(ServiceError)
        -> ServiceReply
    {
        let log = try log(name)
        let (chosen, grouping): (StatsFormat, StatsGrouping?)
        do throws(PublishingError) {
            chosen = try StatsFormat.named(format ?? "json", option: "format")
            grouping = try StatsGrouping.named(by, option: "by")
        } catch {
            throw ServiceError(.badRequest, error.message, underlying: error)
        }
        let snapshot = try await snapshot(log)
        let statistics: FundingStatistics
        do {
            statistics = try FundingStatistics(snapshot: snapshot, scope: StatsScope(callID: call, grouping: grouping))
        } catch {
            throw ServiceError(error.code == .badInput ? .badRequest : .unavailable, error.message, underlying: error)
        }
        let contentType =
            switch chosen {
            case .json: "application/json"
            case .csv: "text/csv; charset=utf-8"
            case .table: "text/plain; charset=utf-8"
            }
        return ServiceReply(contentType: contentType, body: Array(statistics.render(chosen).utf8))
    }

    /// `GET /v1/logs/{log}/export/scdl.csv`: the SCDL « Subventions » export, with the SIRETs the log's operator
    /// keeps beside the log (docs/PUBLISHING.md §4).
    public func scdlExport(log name: String) async throws(ServiceError) -> ServiceReply {
        let log = try log(name)
        let snapshot = try await snapshot(log)
        let identifiersFile = try await log.read { (storage) throws(ServiceError) in try storage.scdlIdentifiers() }
        do {
            let identifiers =
                try identifiersFile.map {
                    try SCDLIdentifiers(
                        csv: String(decoding: $0, as: UTF8.self), source: SCDLIdentifiers.defaultFileName)
                } ?? SCDLIdentifiers()
            let export = try SCDLExport(snapshot: snapshot, identifiers: identifiers)
            return ServiceReply(contentType: "text/csv; charset=utf-8", body: Array(export.csv.utf8))
        } catch let error as PublishingError {
            throw ServiceError(.unavailable, error.message, underlying: error)
        } catch {
            throw ServiceError(.internalFailure, "l'export SCDL a échoué", underlying: error)
        }
    }

    // MARK: - tlog-tiles

    /// `GET /{log}/checkpoint` and `GET /{log}/tile/…`: C2SP tlog-tiles, with the cache headers of the spec (the
    /// checkpoint changes, a tile path's bytes never do).
    public func tileResource(log name: String, path: String) async throws(ServiceError) -> ServiceReply {
        let log = try log(name)
        let resource: TilePath
        do { resource = try TilePath(parsing: path) } catch {
            throw ServiceError(
                .notFound, "« \(path) » n'est pas un chemin tlog-tiles : \(error.message)", underlying: error)
        }
        // A checkpoint another server signed may cover entries this one has not read yet.
        if resource != .checkpoint { try await log.refresh() }
        let size = log.head.size
        let bytes = try await log.read { (storage) throws(ServiceError) in
            try storage.resource(resource, size: size)
        }
        if resource == .checkpoint {
            return ServiceReply(
                contentType: "text/plain; charset=utf-8", headers: [("Cache-Control", "no-cache")], body: bytes)
        }
        return ServiceReply(
            contentType: "application/octet-stream",
            headers: [("Cache-Control", "public, max-age=31536000, immutable")], body: bytes)
    }
}
