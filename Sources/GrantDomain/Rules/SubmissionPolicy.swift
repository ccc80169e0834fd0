import LedgerCore

/// `application.submitted`: `EVT-PAYLOAD`, `SEQ-APP-UNIQUE`, `SEQ-CALL-KNOWN`, `AUT-TERRITORY`, `SEQ-WINDOW`,
/// `ELG-IDENTIFIERS`, `ELG-REFERENCE` (`docs/RULES.md`).
enum SubmissionPolicy {
    /// Returns the application to fold in, or nil when it cannot be.
    static func evaluate(
        _ entry: Entry, in state: GrantState, reference: ReferenceData?, _ e: inout Evaluation
    ) -> GrantApplication? {
        guard
            let application = e.decode(entry, as: GrantApplication.self)
        else { return nil }
        let id = application.applicationID
        e.subject = id
        let duplicate = state.applications[id] != nil
        e.check(.applicationUnique, passed: !duplicate, "le dossier \(id) existe déjà")
        guard !duplicate else { return nil }
        e.depend(on: state.dependency(application: nil, call: application.callID))
        guard let call = state.calls[application.callID] else {
            e.check(
                .callKnown, passed: false, "le dossier \(id) vise l'appel \(application.callID), qui n'a pas été publié"
            )
            return nil
        }
        e.check(.callKnown, passed: true, "appel \(application.callID) publié")
        guard GrantRules.checkTerritory(of: application, &e) else { return nil }
        checkWindow(application, call: call, &e)
        if checkIdentifiers(application, &e), let reference {
            checkReference(application, pin: call.call.referenceData, reference: reference, &e)
        }
        return application
    }

    /// `SEQ-WINDOW`: submitted inside the call's window, not before the version in force was published, not
    /// after the day it was recorded; recorded within ``GrantRules/recordingToleranceDays`` of the close, and
    /// not after the close once decisions on the call have begun (the list of applications is then closed).
    static func checkWindow(_ application: GrantApplication, call: CallState, _ e: inout Evaluation) {
        let c = call.call
        let on = application.submittedOn
        let recordedOn = e.recordedOn
        let published = call.current.publishedOn
        let latest = c.closesAt.adding(days: GrantRules.recordingToleranceDays)
        e.check(
            .window,
            [
                (
                    on >= c.opensAt && on <= c.closesAt,
                    {
                        "dépôt le \(on.frenchLong), hors de la période de l'appel \(c.callID) (du \(c.opensAt.frenchLong) au \(c.closesAt.frenchLong))"
                    }
                ),
                (
                    on >= published,
                    {
                        "dépôt daté du \(on.frenchLong), avant la publication de la version en vigueur de l'appel \(c.callID) le \(published.frenchLong) : ses critères n'étaient pas publics"
                    }
                ),
                (
                    on <= recordedOn,
                    { "dépôt daté du \(on.frenchLong), postérieur à son enregistrement le \(recordedOn.frenchLong)" }
                ),
                (
                    recordedOn <= latest,
                    {
                        "dépôt enregistré le \(recordedOn.frenchLong), plus de \(GrantRules.recordingToleranceDays) jours après la clôture de l'appel \(c.callID) le \(c.closesAt.frenchLong)"
                    }
                ),
                (
                    recordedOn <= c.closesAt || !call.hasDecisions,
                    {
                        "dépôt enregistré le \(recordedOn.frenchLong), après la clôture de l'appel \(c.callID) (\(c.closesAt.frenchLong)) et après ses premières décisions"
                    }
                ),
            ])
    }

    /// `ELG-IDENTIFIERS`; returns whether the applicant's own identifiers are valid (the precondition of
    /// `ELG-REFERENCE`, which would otherwise report the same wrong code a second time).
    static func checkIdentifiers(_ application: GrantApplication, _ e: inout Evaluation) -> Bool {
        let a = application.applicant
        var problems: [String] = []
        if SIREN(a.siren) == nil { problems.append("SIREN du demandeur \(a.siren) invalide (clé de Luhn)") }
        if DepartementCode(a.departement) == nil { problems.append("département \(a.departement) inconnu") }
        if a.kind == .commune {
            if let insee = a.insee {
                if let code = INSEECommuneCode(insee) {
                    if code.departement?.rawValue != a.departement {
                        problems.append("le code INSEE \(insee) n'est pas dans le département \(a.departement)")
                    }
                } else {
                    problems.append("code INSEE \(insee) invalide")
                }
            } else {
                problems.append("une commune a un code INSEE")
            }
        } else if a.insee != nil {
            problems.append("seule une commune a un code INSEE")
        }
        let applicantValid = problems.isEmpty
        if SIRET(application.provider.siret) == nil {
            problems.append("SIRET du prestataire \(application.provider.siret) invalide (clé de Luhn)")
        }
        if DepartementCode(application.provider.departement) == nil {
            problems.append("département du prestataire \(application.provider.departement) inconnu")
        }
        e.check(.identifiers, passed: problems.isEmpty, problems.joined(separator: " ; "))
        return applicantValid
    }

    /// `ELG-REFERENCE`: the applicant is, in the dataset the call pinned, what it says it is — its SIREN, official
    /// name, kind, département and population (which fix the amount), for every kind of applicant. One
    /// identity per collectivité: a second Luhn-valid SIREN does not name anyone, so it cannot dodge the rule of
    /// one award per applicant. The call's pin was checked when it was published.
    static func checkReference(
        _ application: GrantApplication, pin: ReferencePin, reference: ReferenceData, _ e: inout Evaluation
    ) {
        let a = application.applicant
        guard let siren = SIREN(a.siren) else { return }
        let dataset = pin.name
        var problems: [String] = []
        func compare(name: String, departement: String?, population: Int) {
            if a.name != name {
                problems.append("nom « \(TextRules.printable(a.name)) », alors que \(dataset) donne « \(name) »")
            }
            if let departement, departement != a.departement {
                problems.append("département \(a.departement), alors que \(name) est dans le \(departement)")
            }
            if Int64(population) != a.population {
                problems.append(
                    "population \(FrenchFormat.integer(a.population)), alors que \(dataset) donne \(FrenchFormat.integer(Int64(population))) habitants pour \(name)"
                )
            }
        }
        switch a.kind {
        case .commune:
            guard let insee = a.insee.flatMap(INSEECommuneCode.init), let commune = reference.commune(insee) else {
                problems.append("aucune commune de code INSEE \(a.insee ?? "?") dans \(dataset)")
                break
            }
            if commune.siren != siren {
                problems.append(
                    "SIREN \(a.siren), alors que \(commune.name) a le SIREN \(commune.siren?.rawValue ?? "(aucun)")")
            }
            compare(name: commune.name, departement: commune.departement.rawValue, population: commune.population)
        case .communauteDeCommunes, .communauteDAgglomeration, .communauteUrbaine, .metropole:
            guard let epci = reference.epci(siren) else {
                problems.append("aucun EPCI de SIREN \(a.siren) dans \(dataset)")
                break
            }
            if epci.applicantKind != a.kind {
                problems.append("\(epci.name) est une \(epci.applicantKind.label), pas une \(a.kind.label)")
            }
            compare(name: epci.name, departement: epci.departement.rawValue, population: epci.population)
        case .departement, .region:
            let level: Collectivite.Level = a.kind == .departement ? .departement : .region
            guard let collectivite = reference.collectivite(siren, level: level) else {
                let other = reference.applicantKind(of: siren)
                problems.append(
                    other.map {
                        "le SIREN \(a.siren) est celui d'une \($0.label) de \(dataset), pas d'une \(a.kind.label)"
                    }
                        ?? "aucune \(a.kind.label) de SIREN \(a.siren) dans \(dataset)")
                break
            }
            let covers = DepartementCode(a.departement).map { collectivite.departements.contains($0) } ?? false
            if !covers {
                problems.append(
                    "département \(a.departement), hors du territoire de \(collectivite.name) (\(collectivite.departements.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            compare(name: collectivite.name, departement: nil, population: collectivite.population)
        }
        e.check(.reference, passed: problems.isEmpty, problems.joined(separator: " ; "))
    }
}
