import ArgumentParser
import Foundation
import LedgerCore
import LedgerCrypto

@main
struct GrantLedger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant-ledger",
        abstract: "Un registre signé, chaîné et infalsifiable des décisions d'aides publiques.",
        discussion: """
            Le registre est un répertoire (par défaut ./events, ou --ledger RÉP avant ou après la sous-commande, \
            ou GRANT_LEDGER). Codes de sortie : 0 succès ; 1 refusé par une règle, ou la vérification a trouvé \
            des problèmes ; 2 entrée inutilisable.
            """,
        subcommands: [
            Demo.self, Init.self, KeyCommand.self, Append.self, Log.self, Verify.self, Repair.self,
            CallCommand.self, ApplicationCommand.self, Score.self, Decide.self, Pay.self, Withdraw.self, Show.self,
            Status.self,
            Import.self, Explain.self,
            Stats.self, Export.self, Publish.self,
            CheckpointCommand.self, Prove.self, VerifyProof.self, Witness.self,
            BundleCommand.self, VerifyBundle.self, Mirror.self,
        ]
    )

    /// Parses and runs, keeping the documented exit codes: 0, 1 (refused, or problems found), 2 (unusable input).
    /// An argument error is one sentence and exit 2, not argument-parser's usage text and 64; `--help` prints help.
    static func main() {
        Platform.useOneAllocatorArena()
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(LedgerOption.movedAfterSubcommand(Array(CommandLine.arguments.dropFirst())))
        } catch {
            reportAndExit(error)
        }
        do {
            try command.run()
        } catch {
            reportAndExit(error)
        }
        Foundation.exit(0)
    }

    private static func reportAndExit(_ error: any Error) -> Never {
        if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
        // A library error that a command let through: the same sentence and code as `runReporting` gives.
        if let failure = error as? any CodedFailure {
            printError(sentence(for: failure))
            Foundation.exit(exitStatus(for: failure))
        }
        // Help and version requests exit 0 with their text, as usual.
        if exitCode(for: error) == .success {
            let text = HelpText.french(fullMessage(for: error))
            FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
            Foundation.exit(0)
        }
        let lines = message(for: error).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var sentence = lines.first { !$0.isEmpty } ?? "arguments invalides"
        if sentence.hasPrefix("Error: ") { sentence.removeFirst("Error: ".count) }
        if sentence.hasSuffix(".") { sentence.removeLast() }
        printError("\(ArgumentErrorText.french(sentence)) (voir grant-ledger help)")
        Foundation.exit(2)
    }
}

/// `--ledger DIR` accepted before the subcommand too: `grant-ledger --ledger DIR verify` is read as
/// `grant-ledger verify --ledger DIR`.
enum LedgerOption {
    /// The arguments with a leading `--ledger DIR` (or `--ledger=DIR`) moved after the subcommand's names, before
    /// any `--`; other arguments are returned unchanged. `--help` and a lone `--ledger` are left to the parser.
    static func movedAfterSubcommand(_ arguments: [String]) -> [String] {
        var rest = arguments
        let moved: [String]
        if rest.first == "--ledger", rest.count >= 3 {
            moved = Array(rest.prefix(2))
            rest.removeFirst(2)
        } else if let first = rest.first, first.hasPrefix("--ledger="), rest.count >= 2 {
            moved = [first]
            rest.removeFirst()
        } else {
            return arguments
        }
        guard let subcommand = rest.first, !subcommand.hasPrefix("-") else { return arguments }
        if let end = rest.firstIndex(of: "--") {
            rest.insert(contentsOf: moved, at: end)
        } else {
            rest += moved
        }
        return rest
    }
}

/// The argument parser's error sentences, in French (the parser's own texts are English).
/// The argument parser's own words in the help text (headings, the help flag, defaults), in French.
enum HelpText {
    private static let forms: [(english: String, french: String)] = [
        ("OVERVIEW:", "DESCRIPTION :"),
        ("USAGE:", "UTILISATION :"),
        ("ARGUMENTS:", "ARGUMENTS :"),
        ("OPTIONS:", "OPTIONS :"),
        ("SUBCOMMANDS:", "SOUS-COMMANDES :"),
        ("Show help information.", "Afficher cette aide."),
        ("Show the version.", "Afficher la version."),
        ("(default: ", "(par défaut : "),
        (
            "  See 'grant-ledger help <subcommand>' for detailed help.",
            "  Voir « grant-ledger help <sous-commande> » pour l'aide détaillée."
        ),
    ]

    static func french(_ help: String) -> String {
        forms.reduce(help) { text, form in text.replacing(form.english, with: form.french) }
    }
}

enum ArgumentErrorText {
    private static let forms: [(english: String, french: String)] = [
        ("Missing expected argument ", "argument obligatoire manquant : "),
        ("Missing value for ", "valeur manquante pour "),
        ("Unknown option ", "option inconnue : "),
        ("Unexpected argument ", "argument inattendu : "),
        ("Unexpected arguments: ", "arguments inattendus : "),
        ("Too many arguments", "trop d'arguments"),
        ("Duplicate key ", "clé en double : "),
    ]

    static func french(_ sentence: String) -> String {
        var text = sentence
        // A parser's suggestion « Did you mean '--json'? » is kept, in French.
        text = text.replacing(". Did you mean ", with: " ; vouliez-vous dire ")
        if text.hasSuffix("?") { text.removeLast() }
        // « 2 unexpected arguments: 'y', 'z' »: the count first.
        if let space = text.firstIndex(of: " "), Int(text[..<space]) != nil,
            text[space...].hasPrefix(" unexpected arguments: ")
        {
            return text[..<space] + " arguments inattendus : "
                + text[text.index(space, offsetBy: " unexpected arguments: ".count)...]
        }
        if text.hasPrefix("The value "), let range = text.range(of: " is invalid for ") {
            return "la valeur " + text["The value ".endIndex..<range.lowerBound] + " n'est pas valide pour "
                + text[range.upperBound...]
        }
        for form in forms where text.hasPrefix(form.english) {
            return form.french + text.dropFirst(form.english.count)
        }
        return text
    }
}
