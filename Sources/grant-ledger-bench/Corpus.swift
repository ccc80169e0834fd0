import LedgerCore
import LedgerCrypto

/// What the bench's entries are.
enum CorpusKind: String {
    /// Every entry after genesis is a `key.registered` of a new key, signed by the authority: the only
    /// realistic-size entries the core types allow (`NoDomainRules`).
    case keys
    /// 16 `key.registered`, then `bench.note` events signed by those keys round robin (`BenchDomain`).
    case events
}

/// Deterministic entries of realistic size (~600 bytes a line): the same index always gives the same entry.
struct Corpus {
    /// Keys of the `events` corpus.
    static let eventSigners = 16
    /// The first entry's time; entry `i` is `i` seconds later.
    static let startTime: Int64 = 1_704_096_000  // 2024-01-01T08:00:00Z

    let kind: CorpusKind
    let authority: Ed25519PrivateKey
    /// Signers of `bench.note` (events corpus only).
    private let signers: [Ed25519PrivateKey]

    static let departements = [
        "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74", "2A", "2B", "971", "974",
    ]
    static let regions = [
        "Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Provence-Alpes-Côte d'Azur", "Corse", "Guadeloupe",
        "La Réunion", "Nouvelle-Aquitaine", "Occitanie",
    ]

    init(kind: CorpusKind) throws(KeyError) {
        self.kind = kind
        self.authority = try Ed25519PrivateKey(seed: Corpus.seed("authority", 0))
        var signers: [Ed25519PrivateKey] = []
        if kind == .events {
            for index in 0..<Corpus.eventSigners {
                signers.append(try Ed25519PrivateKey(seed: Corpus.seed("signer", index)))
            }
        }
        self.signers = signers
    }

    static func seed(_ label: String, _ index: Int) -> [UInt8] {
        SHA256.hash(Array("grant-ledger-bench/\(label)/\(index)".utf8)).bytes
    }

    static func time(_ index: Int) -> Timestamp {
        Timestamp(secondsSinceEpoch: startTime + Int64(index))
    }

    var origin: String { "bench.grant-ledger.example.gouv.fr/\(kind.rawValue)" }
    var title: String { "Programme de référence du banc d'essai GrantLedger" }

    /// One entry to append: its type, payload and signer.
    struct Item {
        let type: String
        let payload: JSONValue
        let signer: Ed25519PrivateKey
        let time: Timestamp
    }

    /// The entry at `seq` (1 or more; 0 is `ledger.created`). Building it may derive a key, which is why
    /// callers build items outside the timed sections.
    func item(_ seq: Int) throws(KeyError) -> Item {
        switch kind {
        case .keys:
            return registration(of: try Ed25519PrivateKey(seed: Corpus.seed("key", seq)), number: seq)
        case .events:
            if seq <= signers.count { return registration(of: signers[seq - 1], number: seq) }
            return note(seq)
        }
    }

    private func registration(of key: Ed25519PrivateKey, number: Int) -> Item {
        let first = Corpus.departements[number % Corpus.departements.count]
        let second = Corpus.departements[(number + 5) % Corpus.departements.count]
        let region = Corpus.regions[number % Corpus.regions.count]
        let holder = "Préfecture de la région \(region) — service instructeur des aides, guichet n° \(number)"
        let payload = KeyRegistry.registrationPayload(
            key.publicKey, role: BenchDomain.signerRole, territories: [first, second], holder: holder)
        return Item(type: EventCatalog.keyRegistered, payload: payload, signer: authority, time: Corpus.time(number))
    }

    private func note(_ seq: Int) -> Item {
        let signerIndex = seq % signers.count
        // Each signer was registered for departements[(signerIndex + 1) % count] among others.
        let departement = Corpus.departements[(signerIndex + 1) % Corpus.departements.count]
        let payload: JSONValue = .object([
            "application_id": .string("RN-2024-\(departement)-\(String(seq + 1_000_000).dropFirst())"),
            "amount_cents": .integer(Int64(150_000 + (seq * 7_919) % 4_850_000)),
            "departement": .string(departement),
            "decision": .string(seq % 5 == 0 ? "refused" : "accepted"),
            "beneficiary_siret": .string(String(12_345_678_900_000 + seq)),
            "motivation": .string(
                "Dossier complet reçu le \(Corpus.time(seq).date), éligible au titre du règlement d'intervention ; "
                    + "montant retenu après instruction et avis du comité départemental (séance n° \(seq % 97))."),
        ])
        return Item(type: BenchDomain.noteType, payload: payload, signer: signers[signerIndex], time: Corpus.time(seq))
    }
}
