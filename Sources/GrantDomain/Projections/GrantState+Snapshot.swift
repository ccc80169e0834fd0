public import LedgerCore
public import LedgerCrypto

// The grant state in a state snapshot (docs/FORMAT.md §10): every stored property, in declaration order. A
// property added to one of these types must be added here too; `SnapshotPropertyTests` compares a state read
// back from a snapshot with the same state replayed, property by property (`Equatable`), so a forgotten one fails.

extension GrantRules {
    /// Version of the grant rules and of this encoding, with the reference dataset the rules read: bump the
    /// version whenever a rule or the state changes, so that no snapshot of older rules is used.
    public var snapshotIdentity: String? {
        "grant/2 reference=\(referenceDatasetID ?? "none")"
    }

    public func writeSnapshot(to writer: inout SnapshotWriter) {
        writer.write(state)
    }

    public mutating func readSnapshot(from reader: inout SnapshotReader) throws(SnapshotError) {
        state = try reader.read()
    }
}

extension GrantState: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(calls)
        writer.write(callOrder)
        writer.write(applications)
        writer.write(paymentReferences)
        writer.write(declaredDeviations)
        writer.write(unsigned: UInt64(dependencies.count))
        for (object, seq) in dependencies.sorted(by: { $0.key < $1.key }) {
            writer.write(object)
            writer.write(seq)
        }
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        calls = try reader.read()
        callOrder = try reader.read()
        applications = try reader.read()
        paymentReferences = try reader.read()
        declaredDeviations = try reader.read()
        let count = try reader.readCount()
        for _ in 0..<count {
            let object: Object = try reader.read()
            dependencies[object] = try reader.read()
        }
        guard dependencies.count == count else { throw SnapshotError("objet en double dans l'instantané") }
    }
}

extension GrantState.Object: SnapshotCodable, Comparable {
    static func < (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.call(let a), .call(let b)), (.application(let a), .application(let b)): return a < b
        case (.call, .application): return true
        case (.application, .call): return false
        }
    }

    func write(to writer: inout SnapshotWriter) {
        switch self {
        case .call(let id):
            writer.write(Int64(0))
            writer.write(id)
        case .application(let id):
            writer.write(Int64(1))
            writer.write(id)
        }
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let tag: Int64 = try reader.read()
        switch tag {
        case 0: self = .call(try reader.read())
        case 1: self = .application(try reader.read())
        default: throw SnapshotError("objet inconnu dans l'instantané")
        }
    }
}

extension CallState: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(versions)
        writer.write(committedCents)
        writer.write(paidCents)
        writer.write(savedApplicationIDs)
        writer.write(standingGrants)
        writer.write(hasDecisions)
        writer.write(commitments)
        writer.write(savedGrantedScores)
        writer.write(savedExhaustedScores)
        writer.write(minGrantedScore)
        writer.write(maxExhaustedScore)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        versions = try reader.read()
        guard !versions.isEmpty else { throw SnapshotError("appel sans version dans l'instantané") }
        committedCents = try reader.read()
        paidCents = try reader.read()
        savedApplicationIDs = try reader.read()
        standingGrants = try reader.read()
        hasDecisions = try reader.read()
        commitments = try reader.read()
        savedGrantedScores = try reader.read()
        savedExhaustedScores = try reader.read()
        minGrantedScore = try reader.readIfPresent()
        maxExhaustedScore = try reader.readIfPresent()
    }
}

extension ScoredApplication: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(id)
        writer.write(score)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        id = try reader.read()
        score = try reader.read()
    }
}

extension CallVersion: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(seq)
        writer.write(hash)
        writer.write(time)
        writer.write(signer)
        writer.write(call)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        seq = try reader.read()
        hash = try reader.read()
        time = try reader.read()
        signer = try reader.read()
        call = try reader.read()
    }
}

extension ApplicationState: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(application)
        writer.write(history)
        writer.write(score)
        writer.write(weightedScore)
        writer.write(scorer)
        writer.write(decision)
        writer.write(decider)
        writer.write(gridLineNumber)
        writer.write(payments)
        writer.write(paidCents)
        writer.write(withdrawal)
        writer.write(withdrawnByApplicant)
        writer.write(lastDate)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        application = try reader.read()
        history = try reader.read()
        score = try reader.readIfPresent()
        weightedScore = try reader.readIfPresent()
        scorerNumber = (try reader.readIfPresent() as String?).map(SharedText.number)
        decision = try reader.readIfPresent()
        deciderNumber = (try reader.readIfPresent() as String?).map(SharedText.number)
        gridLineNumber = try reader.readIfPresent()
        payments = try reader.read()
        paidCents = try reader.read()
        withdrawal = try reader.readIfPresent()
        withdrawnByApplicant = try reader.read()
        lastDate = try reader.read()
    }
}

extension EventRef: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(seq)
        writer.write(hash)
        writer.write(type)
        writer.write(time)
        writer.write(signer)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let seq: Int64 = try reader.read()
        let hash: String = try reader.read()
        guard let digest = Digest(hex: hash) else {
            throw SnapshotError("hash d'événement illisible dans l'instantané")
        }
        self.init(seq: seq, digest: digest, type: try reader.read(), time: try reader.read(), signer: try reader.read())
    }
}

// MARK: - Payloads

extension CalendarDate: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(year)
        writer.write(month)
        writer.write(day)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let (year, month, day): (Int, Int, Int) = (try reader.read(), try reader.read(), try reader.read())
        do throws(InputError) {
            try self.init(year: year, month: month, day: day)
        } catch {
            throw SnapshotError("date invalide dans l'instantané")
        }
    }
}

extension ApplicantKind: SnapshotCodable {}
extension GrantAction: SnapshotCodable {}
extension DecisionOutcome: SnapshotCodable {}
extension DecisionMotive: SnapshotCodable {}

extension Applicant: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(kind)
        writer.write(name)
        writer.write(siren)
        writer.write(insee)
        writer.write(departement)
        writer.write(population)
        writer.write(populationSource)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(
            kind: try reader.read(), name: try reader.read(), siren: try reader.read(),
            insee: try reader.readIfPresent(),
            departement: try reader.read(), population: try reader.read(), populationSource: try reader.read())
    }
}

extension Provider: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(name)
        writer.write(siret)
        writer.write(departement)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(name: try reader.read(), siret: try reader.read(), departement: try reader.read())
    }
}

extension GrantApplication: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(applicationID)
        writer.write(callID)
        writer.write(applicant)
        writer.write(action)
        writer.write(title)
        writer.write(summary)
        writer.write(requestedCents)
        writer.write(provider)
        writer.write(submittedOn)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(
            applicationID: try reader.read(), callID: try reader.read(), applicant: try reader.read(),
            action: try reader.read(), title: try reader.read(), summary: try reader.read(),
            requestedCents: try reader.read(), provider: try reader.read(), submittedOn: try reader.read())
    }
}

extension ApplicationScore: SnapshotCodable {
    /// The points as a dictionary is written (its count, then its pairs sorted by key): the same bytes.
    public func write(to writer: inout SnapshotWriter) {
        writer.write(applicationID)
        writer.write(unsigned: UInt64(scores.count))
        for (key, value) in scores {
            writer.write(key)
            writer.write(value)
        }
        writer.write(comment)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let applicationID: String = try reader.read()
        let scores: [String: Int64] = try reader.read()
        self.init(applicationID: applicationID, scores: scores, comment: try reader.read())
    }
}

extension GrantDecision: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(applicationID)
        writer.write(outcome)
        writer.write(amountCents)
        writer.write(motive)
        writer.write(motiveText)
        writer.write(callVersion)
        writer.write(reference)
        writer.write(decidedOn)
        writer.write(deviation)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(
            applicationID: try reader.read(), outcome: try reader.read(), amountCents: try reader.read(),
            motive: try reader.read(), motiveText: try reader.read(), callVersion: try reader.read(),
            reference: try reader.read(), decidedOn: try reader.read(), deviation: try reader.readIfPresent())
    }
}

extension Withdrawal: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(applicationID)
        writer.write(reason)
        writer.write(reference)
        writer.write(withdrawnOn)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(
            applicationID: try reader.read(), reason: try reader.read(), reference: try reader.readIfPresent(),
            withdrawnOn: try reader.read())
    }
}

extension GrantPayment: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(applicationID)
        writer.write(amountCents)
        writer.write(reference)
        writer.write(paidOn)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(
            applicationID: try reader.read(), amountCents: try reader.read(), reference: try reader.read(),
            paidOn: try reader.read())
    }
}

// MARK: - Calls

extension GridLine: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(applicantKinds)
        writer.write(populationMin)
        writer.write(populationMax)
        writer.write(amountCents)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(
            applicantKinds: try reader.read(), populationMin: try reader.readIfPresent(),
            populationMax: try reader.readIfPresent(),
            amountCents: try reader.read())
    }
}

extension Criterion: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(id)
        writer.write(label)
        writer.write(weight)
        writer.write(max)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(id: try reader.read(), label: try reader.read(), weight: try reader.read(), max: try reader.read())
    }
}

extension CallRules: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(oneAwardPerApplicant)
        writer.write(scorerDistinctFromDecider)
        writer.write(meritOrder)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(
            oneAwardPerApplicant: try reader.read(), scorerDistinctFromDecider: try reader.read(),
            meritOrder: try reader.read())
    }
}

extension ReferencePin: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(name)
        writer.write(sha256)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(name: try reader.read(), sha256: try reader.read())
    }
}

extension Attribuant: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(name)
        writer.write(siret)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(name: try reader.read(), siret: try reader.read())
    }
}

extension AidScheme: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(name)
        writer.write(id)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(name: try reader.read(), id: try reader.readIfPresent())
    }
}

extension GrantCall: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(callID)
        writer.write(title)
        writer.write(territories)
        writer.write(opensAt)
        writer.write(closesAt)
        writer.write(envelopeCents)
        writer.write(eligibleActions)
        writer.write(eligibleApplicants)
        writer.write(gridName)
        writer.write(grid)
        writer.write(criteria)
        writer.write(threshold)
        writer.write(rules)
        writer.write(referenceData)
        writer.write(attribuant)
        writer.write(dispositif)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(
            callID: try reader.read(), title: try reader.read(), territories: try reader.read(),
            opensAt: try reader.read(), closesAt: try reader.read(), envelopeCents: try reader.read(),
            eligibleActions: try reader.read(), eligibleApplicants: try reader.read(),
            gridName: try reader.readIfPresent(),
            grid: try reader.read(), criteria: try reader.read(), threshold: try reader.read(),
            rules: try reader.read(), referenceData: try reader.read(), attribuant: try reader.readIfPresent(),
            dispositif: try reader.readIfPresent())
    }
}
