import LedgerCore
import LedgerCrypto

/// `call.published` and `call.amended`: `EVT-PAYLOAD`, `SEQ-CALL-UNIQUE`, `SEQ-CALL-KNOWN`, `AUT-TERRITORY`,
/// `SEQ-CALL-AMEND`, `ELG-REFERENCE` (`docs/RULES.md`).
enum CallPolicy {
    /// Returns the version to fold in, or nil when the payload cannot be read or the call is unknown.
    static func evaluate(
        _ entry: Entry, amended: Bool, in state: GrantState, reference: ReferenceData?,
        _ e: inout Evaluation
    ) -> CallVersion? {
        guard let call = e.decode(entry, as: GrantCall.self) else {
            return nil
        }
        let existing = state.calls[call.callID]
        if amended {
            e.depend(on: state.dependency(application: nil, call: call.callID))
            e.check(
                .callKnown, passed: existing != nil, "call.amended : l'appel \(call.callID) n'a pas été publié")
        } else {
            e.check(
                .callUnique, passed: existing == nil,
                "l'appel \(call.callID) est déjà publié ; une nouvelle version passe par call.amended")
            guard existing == nil else { return nil }
        }
        if amended && existing == nil { return nil }

        // Whoever owns the call changes it: the signer covers the territories of the version in force as
        // well as those of the new version (an amendment cannot move a call onto the signer's own territory).
        if let signer = e.signer {
            var territories = existing?.call.territories ?? []
            for code in call.territories where !territories.contains(code) { territories.append(code) }
            let outside = territories.filter { !signer.covers(territory: $0) }
            e.check(
                .territory, passed: outside.isEmpty,
                "la clé de \(signer.holder) (territoires \(signer.territories.joined(separator: ", "))) ne couvre pas \(outside.joined(separator: ", ")) de l'appel \(call.callID)\(existing != nil ? " (version en vigueur et nouvelle version)" : "")"
            )
            guard outside.isEmpty else { return nil }
        }
        if let existing {
            let inForce = existing.call
            let recordedOn = e.recordedOn
            e.check(
                .callAmendment,
                [
                    (
                        recordedOn < inForce.opensAt,
                        {
                            "l'appel \(call.callID) est ouvert depuis le \(inForce.opensAt.frenchLong) : une nouvelle version n'est possible qu'avant son ouverture (modification du \(recordedOn.frenchLong))"
                        }
                    ),
                    (
                        recordedOn < call.opensAt,
                        {
                            "la nouvelle version de l'appel \(call.callID) s'ouvrirait le \(call.opensAt.frenchLong), avant sa propre publication le \(recordedOn.frenchLong)"
                        }
                    ),
                ])
        }
        checkPin(call, reference: reference, &e)
        return CallVersion(seq: entry.seq, hash: entry.hash.hex, time: entry.time, signer: entry.actor, call: call)
    }

    /// `ELG-REFERENCE` on a call: the pinned dataset is one this verifier holds. A check must not be switchable
    /// off by the data it checks: a call pinning an unknown dataset would leave every population, which fixes
    /// the amounts, unchecked.
    static func checkPin(_ call: GrantCall, reference: ReferenceData?, _ e: inout Evaluation) {
        guard let reference else {
            e.check(
                .reference, passed: false,
                "l'appel \(call.callID) fige le jeu de référence \(call.referenceData.name), mais aucun jeu de référence n'est disponible ici"
            )
            return
        }
        e.check(
            .reference, passed: reference.datasetID == call.referenceData.sha256,
            "l'appel \(call.callID) fige le jeu de référence \(call.referenceData.name) (\(call.referenceData.sha256.prefix(12))…), que ce vérificateur ne détient pas (il détient \(reference.datasetID.prefix(12))…) : l'éligibilité et les populations ne pourraient pas être vérifiées",
            detail: "jeu de référence \(call.referenceData.name) (\(reference.datasetID.prefix(12))…) détenu")
    }
}
